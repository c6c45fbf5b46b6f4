// The planning layer's contract: the inverse question (`POST /v1/plans`) — how far a scenario can
// go on a host — and whole hosts (`POST /v1/hosts`) — several instances' forks on one memory
// limit. Requests are validated here; the answers are what src/planning returns.
import { DEFAULT_MAX_POINTS } from '../engine/defaults.js';
import { LIMITS } from '../engine/limits.js';
import { SimulationStatusSchema } from './api.js';
import { SummarySchema } from './result.js';
import { ScenarioSchema } from './scenario.js';
import { byteSize } from './units.js';
import { z } from './zod.js';

export const PLAN_QUESTIONS = ['max-dataset', 'max-write-rate', 'max-snapshot-duration', 'min-host-memory', 'max-maxmemory'] as const;
export type PlanQuestion = (typeof PLAN_QUESTIONS)[number];

/** Share of host memory that must stay free at the peak unless the client says otherwise. */
export const DEFAULT_HEADROOM_PERCENT = 10;
/** Below 100: a host kept wholly free holds nothing. */
export const MAX_HEADROOM_PERCENT = 99;

export const PLAN_LIMITS = {
  /** Instances on one host: each is one simulation in the job (≤ ~0.1 s each in expected mode). */
  maxInstances: 64,
  /** A week: the longest save interval the engine takes (LIMITS.maxSecondsSincePreviousFork). */
  maxHorizonSec: LIMITS.maxSecondsSincePreviousFork,
  /** Fork events over the horizon, all instances together: each adds its points to the timeline. */
  maxForks: 10_000,
  /** Points of the host timeline, as for a simulation's series. */
  maxPoints: LIMITS.maxPoints,
} as const;

const PlanHostSchema = z
  .object({
    memoryBytes: byteSize(LIMITS.minHostMemoryBytes, LIMITS.maxHostMemoryBytes)
      .optional()
      .openapi({ description: 'The host’s RAM or the container’s memory.max. Required except for `min-host-memory`, which finds it.' }),
    reservedBytes: byteSize(0, LIMITS.maxHostMemoryBytes)
      .optional()
      .openapi({ description: 'What the limit must hold besides this Redis; default: the scenario’s `host.reservedBytes`, else the engine’s default for its host kind.' }),
  })
  .strict();

export const PlanRequestSchema = z
  .object({
    base: ScenarioSchema,
    question: z.enum(PLAN_QUESTIONS).openapi({
      description:
        '`max-dataset`: the largest dataset of the same composition that fits; `max-write-rate`: the highest offered write rate it survives during the snapshot; `max-snapshot-duration`: the slowest save it survives; `min-host-memory`: the memory a host needs for the base scenario; `max-maxmemory`: the maxmemory to set for this host or container limit.',
    }),
    host: PlanHostSchema,
    headroomPercent: z
      .number()
      .min(0)
      .max(MAX_HEADROOM_PERCENT)
      .default(DEFAULT_HEADROOM_PERCENT)
      .openapi({ description: 'Share of host memory that must stay free at the peak, on top of host.reservedBytes.' }),
  })
  .strict()
  .superRefine((plan, ctx) => {
    if (plan.question !== 'min-host-memory' && plan.host.memoryBytes === undefined) {
      ctx.addIssue({ code: 'custom', path: ['host', 'memoryBytes'], message: `required for question ${plan.question}` });
    }
  })
  .openapi('PlanRequest', {
    example: {
      base: { dataset: { usedMemoryBytes: '8GiB', valueBytes: 512 }, workload: { writesPerSec: 20000 }, snapshot: { durationSec: 40 } },
      question: 'max-write-rate',
      host: { memoryBytes: '12GiB' },
      headroomPercent: 10,
    },
  });

export type PlanRequestInput = z.input<typeof PlanRequestSchema>;
export type PlanRequest = z.output<typeof PlanRequestSchema>;

const ProbeSchema = z.object({ value: z.number(), peakBytes: z.number(), fits: z.boolean() });

export const CloudRuleSchema = z
  .object({
    rule: z.enum(['aws-elasticache-reserved-memory-percent', 'azure-maxmemory-reserved', 'gcp-memorystore-export']),
    ruleOfThumb: z.literal(true),
    description: z.string(),
    datasetSharePercent: z.number().openapi({ description: 'Share of the host the rule lets the dataset (used_memory) take.' }),
    value: z.number().nullable().openapi({ description: 'What the rule answers to the same question, in the answer’s unit; null where the rule has no answer to it.' }),
    unit: z.string(),
    verdict: z.enum(['over-provisions', 'under-provisions', 'matches', 'not-comparable']),
    differenceBytes: z.number().nullable().openapi({ description: 'Memory the rule leaves unused (over) or would need beyond the host (under), against the engine’s answer.' }),
    note: z.string(),
  })
  .openapi('CloudRule');

export const PlanResultSchema = z
  .object({
    question: z.enum(PLAN_QUESTIONS),
    answer: z.object({
      value: z.number().nullable(),
      unit: z.string(),
      reason: z.string().optional().openapi({ description: 'Why value is null: no value satisfies the host, or every value does.' }),
      equivalents: z.record(z.string(), z.number()).optional().openapi({ description: 'The same answer in other terms (throughput, rdb-key-save-delay, share of the host).' }),
    }),
    boundary: z
      .object({ scenario: ScenarioSchema, summary: SummarySchema.omit({ advice: true }) })
      .nullable()
      .openapi({ description: 'The last scenario that fits and its summary (expected mode); null when the answer is null.' }),
    beyond: ProbeSchema.nullable().openapi({ description: 'The first value found not to fit: one step past the answer.' }),
    step: z.number().nullable().openapi({ description: 'beyond.value − answer.value: the resolution of the search.' }),
    fits: z.object({
      budgetBytes: z.number().openapi({ description: 'memoryBytes × (1 − headroomPercent / 100): what oom.peakBytes (the unreclaimable peak plus reservedBytes) may reach.' }),
      memoryBytes: z.number().nullable(),
      reservedBytes: z.number().nullable(),
      headroomPercent: z.number(),
    }),
    iterations: z.number().int().openapi({ description: 'Simulations the search ran (expected mode), the exact check aside.' }),
    probes: z.array(ProbeSchema).openapi({ description: 'Every value the search simulated, in order.' }),
    monotone: z.boolean().openapi({ description: 'The probes’ margins moved one way along the axis; false when the search met a reversal (its note says where).' }),
    monotonicityNote: z.string().optional(),
    exactCheck: z.object({
      status: z.enum(['agrees', 'disagrees', 'skipped']).openapi({ description: '`agrees`: exact mode’s peak at the boundary is within 3% of expected mode’s (the modes’ documented agreement).' }),
      fits: z.boolean().nullable().openapi({ description: 'The boundary fits in exact mode too. Next to the edge a fraction of a percent of sampling noise can tip it.' }),
      peakBytes: z.number().nullable(),
      differencePercent: z.number().nullable().openapi({ description: 'Exact peak against the expected one, percent.' }),
      reason: z.string().optional(),
    }),
    cloudRules: z.array(CloudRuleSchema),
  })
  .openapi('PlanResult');

export type PlanResult = z.infer<typeof PlanResultSchema>;
export type CloudRule = z.infer<typeof CloudRuleSchema>;

const InstanceSchema = z
  .object({
    name: z.string().min(1).max(100),
    scenario: ScenarioSchema,
    snapshotEverySec: z
      .number()
      .gt(0)
      .max(PLAN_LIMITS.maxHorizonSec)
      .optional()
      .openapi({ description: 'Seconds between this instance’s fork events; absent: one fork event, at firstSnapshotAtSec.' }),
    firstSnapshotAtSec: z.number().min(0).max(PLAN_LIMITS.maxHorizonSec).default(0).openapi({ description: 'When its first fork event starts, seconds into the horizon.' }),
  })
  .strict();

export const HostRequestSchema = z
  .object({
    memoryBytes: byteSize(LIMITS.minHostMemoryBytes, LIMITS.maxHostMemoryBytes).openapi({ description: 'The host’s RAM or the node’s allocatable memory.' }),
    reservedBytes: byteSize(0, LIMITS.maxHostMemoryBytes)
      .optional()
      .openapi({ description: 'What the host holds besides these instances; default: the engine’s VM reserve for this memory (256 MiB + min_free_kbytes).' }),
    horizonSec: z.number().gt(0).max(PLAN_LIMITS.maxHorizonSec).openapi({ description: 'The span of time the timeline covers, seconds.' }),
    instances: z.array(InstanceSchema).min(1).max(PLAN_LIMITS.maxInstances),
    maxPoints: z
      .number()
      .int()
      .min(2)
      .max(PLAN_LIMITS.maxPoints)
      .default(DEFAULT_MAX_POINTS)
      .openapi({ description: 'Evenly spaced points of the timeline; each fork’s own peak is added to them.' }),
  })
  .strict()
  .superRefine((host, ctx) => {
    const seen = new Set<string>();
    host.instances.forEach((instance, i) => {
      if (seen.has(instance.name)) ctx.addIssue({ code: 'custom', path: ['instances', i, 'name'], message: `duplicate instance name ${JSON.stringify(instance.name)}` });
      seen.add(instance.name);
      if (instance.firstSnapshotAtSec >= host.horizonSec) {
        ctx.addIssue({ code: 'custom', path: ['instances', i, 'firstSnapshotAtSec'], message: `must be below horizonSec (${host.horizonSec})` });
      }
    });
    // Fork events scheduled at most: an instance forks no more often than its period.
    const forks = host.instances.reduce(
      (sum, s) => sum + (s.snapshotEverySec === undefined ? 1 : Math.max(1, Math.ceil((host.horizonSec - s.firstSnapshotAtSec) / s.snapshotEverySec))),
      0,
    );
    if (forks > PLAN_LIMITS.maxForks) {
      ctx.addIssue({ code: 'custom', path: ['instances'], message: `${forks} fork events over the horizon exceed the limit of ${PLAN_LIMITS.maxForks}: lengthen snapshotEverySec or shorten horizonSec` });
    }
  })
  .openapi('HostRequest', {
    example: {
      memoryBytes: '16GiB',
      horizonSec: 3600,
      maxPoints: 100,
      instances: [
        { name: 'a', scenario: { dataset: { usedMemoryBytes: '4GiB', valueBytes: 256 }, workload: { writesPerSec: 20000 }, snapshot: { durationSec: 20 } }, snapshotEverySec: 900 },
        { name: 'b', scenario: { dataset: { usedMemoryBytes: '4GiB', valueBytes: 256 }, workload: { writesPerSec: 20000 }, snapshot: { durationSec: 20 } }, snapshotEverySec: 900 },
      ],
    },
  });

export type HostRequestInput = z.input<typeof HostRequestSchema>;
export type HostRequest = z.output<typeof HostRequestSchema>;

const ForkRefSchema = z.object({ instance: z.string(), fork: z.number().int(), startSec: z.number(), endSec: z.number() });

export const HostResultSchema = z
  .object({
    memoryBytes: z.number(),
    reservedBytes: z.number(),
    horizonSec: z.number(),
    peak: z.object({
      bytes: z.number().openapi({ description: 'The largest value of series.hostMemoryBytes: every instance’s parent RSS + child private memory, summed.' }),
      atSec: z.number(),
      headroomBytes: z.number().openapi({ description: 'memoryBytes − reservedBytes − peak.bytes; negative: the host runs out.' }),
      fits: z.boolean(),
    }),
    instances: z.array(
      z.object({
        name: z.string(),
        baselineBytes: z.number().openapi({ description: 'Its memory between fork events: parent RSS before the fork.' }),
        peakBytes: z.number().openapi({ description: 'Its own peak during a fork event.' }),
        eventSec: z.number().openapi({ description: 'Length of its simulated fork event (children and tail).' }),
        forks: z.array(z.object({ startSec: z.number(), childrenEndSec: z.number() })),
      }),
    ),
    overlaps: z.array(z.object({ a: ForkRefSchema, b: ForkRefSchema, fromSec: z.number(), toSec: z.number() })).openapi({ description: 'Pairs of children of different instances alive at once (the first 1000).' }),
    overlapCount: z.number().int(),
    stagger: z.object({
      method: z.string(),
      offsets: z.array(z.object({ name: z.string(), firstSnapshotAtSec: z.number() })),
      peakBytes: z.number(),
      peakAtSec: z.number(),
      reductionBytes: z.number().openapi({ description: 'peak.bytes − stagger.peakBytes.' }),
      lowerBoundBytes: z.number().openapi({ description: 'No stagger can go below this: the largest of each instance’s own peak plus every other instance’s baseline.' }),
      evaluations: z.number().int(),
    }),
    series: z.object({ tSec: z.array(z.number()), hostMemoryBytes: z.array(z.number()) }),
  })
  .openapi('HostResult');

export type HostResult = z.infer<typeof HostResultSchema>;

export const PlanningIdSchema = z
  .string()
  .regex(/^(plan|host)-[0-9a-f]{16}$/)
  .openapi({ description: '`plan-` or `host-` and a hash of the canonical request: the same request is planned once.', example: 'plan-3f9c2a71b0d4e8a1' });

/** A plan or host plan as the API shows it: a job record, with the result once completed. */
function planningRecord<T extends z.ZodType>(name: string, result: T) {
  return z
    .object({
      id: PlanningIdSchema,
      status: SimulationStatusSchema,
      progress: z.number().min(0).max(1),
      createdAt: z.string().openapi({ format: 'date-time' }),
      finishedAt: z.string().nullable().openapi({ format: 'date-time' }),
      error: z.object({ code: z.string(), message: z.string() }).optional(),
      links: z.object({ self: z.string() }),
      result: result.optional().openapi({ description: 'Present once completed.' }),
    })
    .openapi(name);
}

export const PlanRecordSchema = planningRecord('Plan', PlanResultSchema);
export const HostPlanRecordSchema = planningRecord('HostPlan', HostResultSchema);
