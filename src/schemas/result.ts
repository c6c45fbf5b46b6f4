// The simulation result: a columnar time series from fork to child exit (plus a short tail)
// and a summary named after the Redis INFO fields it forecasts.
import { ScenarioSchema } from './scenario.js';
import { z } from './zod.js';

const column = (description: string) => z.array(z.number()).openapi({ description });

export const SeriesSchema = z
  .object({
    tSec: column('Seconds since fork().'),
    copiedPages: column(
      '4 KiB pages copied so far, whatever the copy unit: a 2 MiB huge-page copy (copyUnitBytes 2097152) counts 512. Each 4 KiB copy is one parent fault; a 2 MiB copy one fault.',
    ),
    cowBytes: column("Child's Private_Dirty: what Redis reports as current_cow_size; 0 after the child exits."),
    parentRssBytes: column(
      'Parent RSS: the dataset, what inserts added, and the buffers the parent allocates (replication buffer, 6.2 AOF rewrite blocks); copies do not grow it.',
    ),
    childPrivateBytes: column('Memory only the child holds: its copies, and on 6.2 the AOF rewrite diff it reads into its heap.'),
    hostMemoryBytes: column(
      'parent RSS + child private bytes: the anonymous memory of this Redis. Page cache (pageCacheBytes) and the fork’s page tables are not in it; they count in the OOM verdict where they cannot be reclaimed.',
    ),
    writes: column('Writes served since fork().'),
    forkPerc: column('current_fork_perc: keys saved / keys at fork, percent.'),
    faultStallMs: column('Main-thread time spent in copy-on-write faults during the step, ms.'),
    replicationBufferBytes: column(
      'INFO mem_total_replication_buffers: the backlog and what is held for replicas (7.0 one shared copy, 6.2 one per replica). Inside parentRssBytes; outside maxmemory’s count.',
    ),
    aofRewriteBufferBytes: column(
      '6.2 AOF rewrite buffer: the parent’s 10 MB blocks (12 MiB allocated) plus the diff the child has read; 0 on 7.0 and for other triggers. Inside parentRssBytes and childPrivateBytes.',
    ),
    pageCacheBytes: column(
      'File pages the saves wrote to the page cache (an RDB on tmpfs included, as shmem), before any reclaim: charged to a container, reclaimable unless on tmpfs or dirty; under a limit the kernel drops clean ones first (see containerMemoryUsagePeakBytes). Not in hostMemoryBytes.',
    ),
    replicaMemoryBytes: column('used_memory of one replica while it receives and loads the RDB (full sync only).').optional(),
    events: z
      .array(
        z
          .object({
            kind: z.enum(['fork', 'replica-disconnected', 'sync-completed', 'child-exited']).openapi({ description: 'A fork, a replica dropped at its output-buffer limit, every replica loaded, a child exited.' }),
            tSec: z.number().openapi({ description: 'When, in seconds on the series’ clock.' }),
          })
          .openapi({ description: 'What happened when, in seconds since the first request or fork.' }),
      )
      .openapi({ description: 'The fork event’s moments, in time order of their kind.' }),
  })
  .openapi('Series');

export const ChildSchema = z
  .object({
    startSec: z.number().openapi({ description: 'When it forked, seconds on the series’ clock.' }),
    endSec: z.number().openapi({ description: 'When it exited (or was killed), or the end of the horizon.' }),
    killed: z.boolean().openapi({ description: 'Killed when its replica dropped and no save rule needed the file (PR #7819).' }),
    forkUsec: z.number().openapi({ description: 'Its fork() pause.' }),
    cowPeakBytes: z.number().openapi({ description: 'Its peak Private_Dirty.' }),
    finalCowBytes: z.number().openapi({ description: 'Its Private_Dirty when it exited.' }),
    copiedPages: z.number().openapi({ description: '4 KiB pages its copies took (a 2 MiB copy counts 512), as the series counts them.' }),
    writes: z.number().openapi({ description: 'Writes served while it lived.' }),
  })
  .openapi('Child', { description: 'One fork of the event and its child.' });

export const OomComponentsSchema = z
  .object({
    parentBytes: z.number().openapi({ description: 'Parent RSS apart from its buffers: the dataset and inserts.' }),
    cowBytes: z.number().openapi({ description: 'The child’s copies.' }),
    replicationBufferBytes: z.number().openapi({ description: 'The replication buffers in the parent (mem_total_replication_buffers).' }),
    aofRewriteBufferBytes: z.number().openapi({ description: '6.2’s AOF rewrite buffer, the parent’s blocks and the child’s diff.' }),
    pageCacheBytes: z.number().openapi({ description: 'Unreclaimable page cache: an RDB on tmpfs.' }),
    forkPageTableBytes: z.number().openapi({ description: 'The child’s copy of the page tables.' }),
    reservedBytes: z.number().openapi({ description: 'host.reservedBytes: what else the limit holds.' }),
  })
  .openapi('OomComponents', { description: 'The parts of the peak the limit must hold, at the moment of that peak.' });

export const ForkRateGradeSchema = z.enum(['excellent', 'good', 'poor', 'terrible', 'negligible']).openapi({
  description:
    'LATENCY DOCTOR’s grade of forkRateGBps (src/latency.c: under 10 GB/s terrible, under 25 poor, under 100 good, else excellent). `negligible`: the fork pauses under 1 ms, which the latency monitor cannot record (it counts whole ms), so LATENCY DOCTOR never grades it; its rate is mostly fork()’s fixed cost and says nothing about the host.',
});

export const VerdictLevelSchema = z.enum(['ok', 'tight', 'oom']);

export const VerdictSchema = z
  .object({
    level: VerdictLevelSchema.nullable().openapi({
      description: '`ok`: the peak fits with at least host.marginPercent of the limit to spare; `tight`: it fits with less; `oom`: it passes the limit. null without a host limit.',
    }),
    headroomBytes: z.number().nullable().openapi({ description: 'oom.headroomBytes: limit − peak (negative past the limit); null without a limit.' }),
    headroomPercent: z.number().nullable().openapi({ description: 'headroomBytes as a percent of the limit; null without a limit.' }),
    text: z.string().openapi({
      description: 'The verdict in one line, sizes in GiB/MiB and times in ms/s, e.g. "SURVIVES: peak 31.3 GiB of 32 GiB, 0.7 GiB (2.2%) headroom, below the 10% margin" or "OOM at 2.1 s: peak 48.0 GiB of 32 GiB".',
    }),
  })
  .openapi('Verdict', { description: 'Whether the host survives the fork event, read off `oom`: the same peak, limit and times.' });

/** An enum of stable codes whose OpenAPI description lists what each means. */
function codeEnum<C extends string>(codes: Record<C, string>) {
  const names = Object.keys(codes) as [C, ...C[]];
  return z.enum(names).openapi({ description: `Stable code:\n${names.map((code) => `- \`${code}\`: ${codes[code]}`).join('\n')}` });
}

/** Stable warning codes and what each means. */
export const WARNING_CODES = {
  THP_DISABLED_BY_REDIS: 'kernel.thp is always but redis.disableThp (default true, disable-thp yes) opts Redis out: the run is on 4 KiB pages.',
  THP_COPY_2M: 'Huge pages with kernel.thpCow copy-2m (Linux < 5.8): the first write to a shared huge page copies all 2 MiB.',
  MAIN_THREAD_SATURATED: 'Writes plus copy-on-write faults fill the main thread while the child lives: fewer writes are served than offered.',
  FORK_STALL_OVER_BUDGET: 'A fork() pause is longer than workload.latencyBudgetMs.',
  FIRST_FORK_ALL_WRITABLE: 'snapshot.secondsSincePreviousFork is none: every page-table entry is writable and fork() takes its costliest path.',
  EXACT_LIMITS_APPROACHED: 'Exact mode with at least half of its write or page limit: a scenario twice as large is refused; use expected mode.',
} as const;
export type WarningCode = keyof typeof WARNING_CODES;

export const WarningSchema = z
  .object({
    code: codeEnum(WARNING_CODES),
    message: z.string().openapi({ description: 'What was found, with this run’s figures.' }),
    path: z.string().optional().openapi({ description: 'The scenario field (dotted path) to look at.' }),
  })
  .openapi('Warning', { description: 'A setting that does not do what it likely meant, or a state that deserves attention.' });

/** A handful: what a person weighs at once. */
export const MAX_ADVICE = 5;

/** Stable advice codes and the change each makes. */
export const ADVICE_CODES = {
  THP_OFF: 'kernel.thp never: the run on 4 KiB pages.',
  NEWER_KERNEL: 'kernel.thpCow split-4k: Linux ≥ 5.8 copies 4 KiB of a huge page on write, not 2 MiB.',
  FASTER_SAVE: 'snapshot.throughputBytesPerSec at the fast end of observed saves (500 MB/s): the child lives shorter.',
  LOWER_MAXMEMORY: 'A smaller dataset (maxmemory with an eviction policy): the largest that leaves host.marginPercent of headroom.',
  STAGGER_REPLICAS: 'Full-sync the replicas one at a time (replication.replicas 1).',
  DISKLESS_SYNC: 'replication.diskless true: the child streams to the replicas, no RDB file in the page cache.',
  REDIS_7: 'redis.version 7.0: the child releases saved values spanning whole pages (dismiss).',
} as const;
export type AdviceCode = keyof typeof ADVICE_CODES;

const ScenarioValueSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const AdviceSchema = z
  .object({
    code: codeEnum(ADVICE_CODES),
    changes: z
      .array(
        z.object({
          path: z.string().openapi({ description: 'Dotted scenario path, e.g. kernel.thp.' }),
          from: ScenarioValueSchema.openapi({ description: 'The value before; null: absent (its default applied).' }),
          to: ScenarioValueSchema.openapi({ description: 'The value with the change; null: removed.' }),
        }),
      )
      .openapi({ description: 'The scenario fields (dotted paths) changed, from their resolved values.' }),
    peakBytes: z.number().openapi({ description: 'oom.peakBytes of the scenario with the change, in expected mode.' }),
    peakChangeBytes: z.number().openapi({ description: 'peakBytes minus the same peak without the change (also in expected mode); negative: lower.' }),
    latestForkUsec: z.number().openapi({ description: 'The first fork’s pause with the change.' }),
    verdict: VerdictSchema,
    text: z.string().openapi({ description: 'The change and its effect in one line.' }),
  })
  .openapi('Advice', {
    description:
      'A change and its effect, computed by re-running the scenario with it (in expected mode, whatever the scenario’s mode, so advice costs a few analytic runs).',
  });

export const ReserveRuleSchema = z
  .object({
    rule: z.enum(['aws-elasticache-reserved-memory-percent', 'azure-cache-maxmemory-reserved', 'gcp-memorystore-export-maxmemory']).openapi({ description: 'Which rule.' }),
    label: z.string().openapi({ description: 'The rule in words.' }),
    reservePercent: z.number().openapi({ description: 'Share of the limit the rule keeps free.' }),
    reserveBytes: z.number().nullable().openapi({ description: 'That share of host.memoryBytes; null without a limit.' }),
    coversPeakCow: z.boolean().nullable().openapi({ description: 'The reserve is at least cowPeakBytes; null without a limit.' }),
    source: z.string().openapi({ description: 'Where the provider states it.' }),
  })
  .openapi('ReserveRule', { description: 'A cloud provider’s rule of thumb, for comparison with the forecast: none of them is this host’s rule.' });

export const SummarySchema = z
  .object({
    keys: z.number().openapi({ description: 'Keys at the fork (INFO keyspace), given or derived from used memory.' }),
    usedMemoryBytes: z.number().openapi({ description: 'INFO used_memory before the fork.' }),
    usedMemoryRssBytes: z.number().openapi({ description: 'INFO used_memory_rss before the fork.' }),
    latestForkUsec: z.number().openapi({ description: 'INFO latest_fork_usec: the main thread is blocked this long.' }),
    forkWritableShare: z
      .number()
      .openapi({ description: 'Share of the mapped memory written since the previous fork: its page-table entries were writable at fork, the costlier kind.' }),
    forkRateGBps: z.number().openapi({ description: 'used_memory / fork time, as LATENCY DOCTOR computes it.' }),
    forkRateGrade: ForkRateGradeSchema,
    rdbBgsaveTimeSec: z.number().openapi({ description: 'Child lifetime (INFO rdb_last_bgsave_time_sec, unrounded).' }),
    cowPeakBytes: z.number().openapi({ description: 'Peak child Private_Dirty: INFO current_cow_peak / 7.0 rdb_last_cow_size.' }),
    cowPeakPercentOfUsedMemory: z.number().openapi({ description: 'cowPeakBytes as a percent of usedMemoryBytes.' }),
    rdbLastCowSize: z.number().openapi({ description: 'What INFO rdb_last_cow_size would say: the peak on 7.0, the last value on 6.2.' }),
    finalCowBytes: z.number().openapi({ description: 'Child Private_Dirty just before it exits.' }),
    peakHostMemoryBytes: z.number().openapi({ description: 'Peak of parent RSS + child private bytes.' }),
    copiedPages: z
      .number()
      .openapi({ description: '4 KiB pages the first child’s copies took by its exit, as the series counts them: a 2 MiB huge-page copy counts 512.' }),
    copiedBytes: z.number().openapi({ description: 'copiedPages × 4096: the bytes copied, before Redis 7’s dismiss released any.' }),
    copyUnitBytes: z.number().openapi({ description: 'What one copy-on-write fault copies: 4096, or 2097152 with huge pages on Linux < 5.8 (kernel.thpCow copy-2m).' }),
    writes: z.number().openapi({ description: 'Writes served while the child lived.' }),
    writesOffered: z.number().openapi({ description: 'Writes offered while the child lived.' }),
    writesPerSecOffered: z.number().openapi({ description: 'writesOffered / rdbBgsaveTimeSec.' }),
    writesPerSecAchieved: z.number().openapi({ description: 'writes / rdbBgsaveTimeSec: below offered when faults fill the main thread.' }),
    distinctKeysWritten: z.number().openapi({ description: 'Expected distinct keys overwritten while the child lived.' }),
    faultStallMsTotal: z.number().openapi({ description: 'Main-thread time spent in copy-on-write faults.' }),
    hugePagesActive: z.boolean().openapi({ description: 'Redis runs on transparent huge pages: kernel.thp always and redis.disableThp false.' }),
    hugePageCoverage: z.number().openapi({ description: 'Share of RSS mapped by huge pages at fork, after the splits the previous snapshot’s writes left.' }),
    dismissActive: z.boolean().openapi({ description: 'Redis 7 child releases saved values that span whole pages.' }),
    oom: z
      .object({
        limitBytes: z.number().nullable().openapi({ description: 'host.memoryBytes; null without one.' }),
        headroomBytes: z.number().nullable().openapi({ description: 'limitBytes − peakBytes, negative past the limit.' }),
        atRisk: z.boolean().nullable().openapi({ description: 'peakBytes > limitBytes: the OOM killer acts (verdict level oom).' }),
        reservedBytes: z.number().openapi({ description: 'host.reservedBytes as resolved.' }),
        peakBytes: z.number().openapi({ description: 'Peak of what the limit must hold: unreclaimable memory plus the reserve.' }),
        peakAtSec: z.number().openapi({ description: 'When the peak falls, seconds on the series’ clock.' }),
        firstExceededAtSec: z.number().nullable().openapi({ description: 'When it first passed the limit; null when never or without one.' }),
        components: OomComponentsSchema,
      })
      .openapi({
        description:
          'Unreclaimable memory (hostMemoryBytes, the fork’s page tables, an RDB on tmpfs) plus host.reservedBytes against host.memoryBytes; limit, headroom and atRisk null without a limit.',
      }),
    cloudReserve: z
      .object({
        rule: z.literal('aws-elasticache-reserved-memory-percent').openapi({ description: 'Always the AWS rule.' }),
        reservePercent: z.number().openapi({ description: '25.' }),
        reserveBytes: z.number().nullable().openapi({ description: '25% of host.memoryBytes; null without a limit.' }),
        coversPeakCow: z.boolean().nullable().openapi({ description: 'reserveBytes ≥ cowPeakBytes; null without a limit.' }),
      })
      .openapi({
        deprecated: true,
        description: 'Deprecated: the AWS rule alone, kept for existing clients; read reserveRulesOfThumb, which sets it beside Azure’s and GCP’s. The reserve a 25% rule of thumb would have kept, beside the forecast.',
      }),
    reserveRulesOfThumb: z.array(ReserveRuleSchema).openapi({
      description: 'Cloud providers’ rules of thumb side by side, as comparisons with the forecast (AWS 25%, Azure 10% + 10%, GCP 50% during an export); the verdict does not use them.',
    }),
    verdict: VerdictSchema,
    warnings: z.array(WarningSchema).openapi({ description: 'Settings that likely do not do what was meant, and states that deserve attention; empty when none.' }),
    advice: z.array(AdviceSchema).max(MAX_ADVICE).openapi({
      description: `Up to ${MAX_ADVICE} changes that apply and lower the peak (by at least 1%) or improve the verdict, largest effect first; empty when none helps.`,
    }),
    trigger: z.enum(['bgsave', 'aof-rewrite', 'full-sync']).openapi({ description: 'snapshot.trigger: what forked.' }),
    forks: z.number().openapi({ description: 'Forks in the event (INFO total_forks delta).' }),
    children: z.array(ChildSchema).openapi({ description: 'Every fork of the event and its child, in order.' }),
    fullSyncs: z.number().openapi({ description: 'Full sync requests served in the horizon, as INFO sync_full counts them; 0 without a full sync.' }),
    syncOutcome: z.enum(['completed', 'disconnect-loop', 'in-progress', 'not-applicable']).openapi({
      description:
        '`completed`: every replica loaded; `disconnect-loop`: replicas were dropped at the output-buffer limit and asked again; `in-progress`: the horizon ended first; `not-applicable`: not a full sync.',
    }),
    syncCompletedAtSec: z.number().nullable().openapi({ description: 'When the last replica finished loading; null when it did not in the horizon or without a full sync.' }),
    memTotalReplicationBuffersPeakBytes: z.number().openapi({ description: 'Peak INFO mem_total_replication_buffers: backlog + replica buffers, one copy per replica on 6.2.' }),
    aofRewriteBufferPeakBytes: z.number().openapi({ description: '6.2: the rewrite diff in memory at its largest, the parent’s unsent blocks plus what the child has read; 0 on 7.0.' }),
    aofRewriteStallMs: z.number().openapi({ description: '6.2: the main thread blocked writing the rest of the rewrite buffer at the end; 0 on 7.0.' }),
    replicaMemoryPeakBytes: z.number().nullable().openapi({ description: 'One replica’s peak used_memory during the sync; null without replicas.' }),
    rdbBytes: z.number().openapi({ description: 'The RDB file size used.' }),
    rdbBytesEstimated: z.boolean().openapi({ description: 'True when rdbBytes was estimated from the dataset without compression.' }),
    pageCachePeakBytes: z.number().openapi({ description: 'Peak of pageCacheBytes: the RDB’s file pages before reclaim.' }),
    containerUnreclaimablePeakBytes: z.number().openapi({
      description: 'Peak anon + shmem (+ page tables): parent RSS, child private, buffers, an RDB on tmpfs. What the OOM killer weighs against memory.max.',
    }),
    containerMemoryUsagePeakBytes: z.number().openapi({
      description: 'Peak of that plus the reclaimable page cache: what container_memory_usage_bytes shows and alerts fire on (capped by reclaim at a container’s limit).',
    }),
    scenario: ScenarioSchema.openapi({ description: 'The scenario as resolved, every default filled in.' }),
  })
  .openapi('Summary');

export const SimulationResultSchema = z.object({ summary: SummarySchema, series: SeriesSchema }).openapi('SimulationResult');

export type Series = z.infer<typeof SeriesSchema>;
/** The per-sample columns: every field but the event list. */
export type SeriesColumn = Exclude<keyof Series, 'events'>;
export function seriesColumns(series: Series): SeriesColumn[] {
  return (Object.keys(series) as Array<keyof Series>).filter((k): k is SeriesColumn => k !== 'events' && series[k] !== undefined);
}
export type Summary = z.infer<typeof SummarySchema>;
export type SimulationResult = z.infer<typeof SimulationResultSchema>;
/** What simulate() answers: everything but the advice, which re-runs the engine above it. */
export type EngineSummary = Omit<Summary, 'advice'>;
export interface EngineResult {
  summary: EngineSummary;
  series: Series;
}
export type Verdict = z.infer<typeof VerdictSchema>;
export type Warning = z.infer<typeof WarningSchema>;
export type Advice = z.infer<typeof AdviceSchema>;
export type ReserveRule = z.infer<typeof ReserveRuleSchema>;
export type ForkRateGrade = z.infer<typeof ForkRateGradeSchema>;
export type Child = z.infer<typeof ChildSchema>;
