// Sweeps and comparisons: the bodies of POST /v1/sweeps and POST /v1/comparisons and what the
// API answers for them. A sweep is a base scenario and one or two axes; each axis sets one
// dotted scenario field to a list of values, given as such or as `from`/`to`/`steps` on a
// linear or logarithmic scale. The points are every combination, the first axis outermost.
import { SimulationIdSchema, SimulationStatusSchema } from './api.js';
import { SummarySchema } from './result.js';
import { ScenarioSchema } from './scenario.js';
import { z } from './zod.js';

/** Default of MAX_SWEEP_POINTS: 1000 points of a 64 GiB scenario hold ~75 MiB of Redis with their results and records (README, Sweeps). */
export const DEFAULT_MAX_SWEEP_POINTS = 1000;
/** One or two axes: a line or a grid; a third would make tables nobody reads. */
export const MAX_SWEEP_AXES = 2;
/** Longest dotted path: deeper than any scenario field with room to spare. */
const MAX_PATH_CHARS = 200;
/** Bounds string values (enums and sizes such as "16GiB" are short). */
const MAX_VALUE_STRING_CHARS = 200;
export const MIN_COMPARISON_SCENARIOS = 2;
export const MAX_COMPARISON_SCENARIOS = 8;

const AxisPathSchema = z
  .string()
  .min(1)
  .max(MAX_PATH_CHARS)
  .regex(/^[A-Za-z0-9]+(\.[A-Za-z0-9-]+)*$/, 'a dotted scenario field such as workload.writesPerSec')
  .openapi({ description: 'Dotted path of the scenario field the axis sets.', example: 'workload.writesPerSec' });

export const AxisValueSchema = z
  .union([z.number(), z.string().max(MAX_VALUE_STRING_CHARS), z.boolean(), z.record(z.string().max(MAX_PATH_CHARS), z.unknown())])
  .openapi('SweepAxisValue', { description: 'Whatever the field takes: a number, a size string ("16GiB"), an enum value, a boolean or an object.' });

export function sweepAxisSchema(maxPoints: number) {
  const listed = z
    .object({
      path: AxisPathSchema,
      values: z.array(AxisValueSchema).min(1).max(maxPoints).openapi({ example: [1000, 5000, 20000] }),
    })
    .strict();
  const ranged = z
    .object({
      path: AxisPathSchema,
      from: z.number(),
      to: z.number(),
      steps: z
        .number()
        .int()
        .min(2)
        .max(maxPoints)
        .openapi({ description: `Points on the axis, both ends included (2–${maxPoints}).` }),
      scale: z
        .enum(['linear', 'log'])
        .default('linear')
        .openapi({ description: '`log` spaces the points by a constant ratio and needs `from` and `to` above 0.' }),
    })
    .strict()
    .refine((axis) => axis.scale !== 'log' || (axis.from > 0 && axis.to > 0), { message: 'a log scale needs from and to above 0', path: ['from'] });
  return z.union([listed, ranged]).openapi('SweepAxis', {
    description:
      '`{ path, values }`, or `{ path, from, to, steps, scale }`. Generated values are rounded to whole numbers for fields that take only whole numbers (bytes, keys, counts).',
  });
}

export function sweepRequestSchema(maxPoints: number) {
  return z
    .object({
      base: ScenarioSchema,
      axes: z.array(sweepAxisSchema(maxPoints)).min(1).max(MAX_SWEEP_AXES),
    })
    .strict()
    .openapi('SweepRequest', {
      description: `A base scenario and one or two axes; at most ${maxPoints} points (the product of the axes' lengths, MAX_SWEEP_POINTS).`,
      example: {
        base: { dataset: { usedMemoryBytes: '64GiB', valueBytes: 100 }, snapshot: { durationSec: 120 } },
        axes: [{ path: 'workload.writesPerSec', values: [1000, 5000, 20000] }],
      },
    });
}

export type SweepAxis = z.infer<ReturnType<typeof sweepAxisSchema>>;
export type SweepRequest = z.infer<ReturnType<typeof sweepRequestSchema>>;
export type AxisValue = z.infer<typeof AxisValueSchema>;

export const SweepIdSchema = z
  .string()
  .regex(/^swp-[0-9a-f]{16}$/)
  .openapi({ description: 'A hash of the axes and of every point’s simulation id.', example: 'swp-5b1e0c9d2a7f4e36' });

export const SweepRecordSchema = z
  .object({
    id: SweepIdSchema,
    status: SimulationStatusSchema,
    progress: z.number().min(0).max(1).openapi({ description: 'Finished points / all points.' }),
    points: z.number().int().openapi({ description: 'Points of the sweep.' }),
    finishedPoints: z.number().int(),
    reusedPoints: z.number().int().openapi({ description: 'Points already simulated (same scenario, same id) when the sweep was submitted.' }),
    axes: z.array(z.object({ path: z.string(), values: z.array(AxisValueSchema) })),
    createdAt: z.string().openapi({ format: 'date-time' }),
    finishedAt: z.string().nullable().openapi({ format: 'date-time' }),
    links: z.object({ self: z.string(), result: z.string(), events: z.string() }),
  })
  .openapi('Sweep');

export const SweepRowSchema = z
  .object({
    values: z.record(z.string(), AxisValueSchema).openapi({ example: { 'workload.writesPerSec': 1000 } }),
    simulationId: SimulationIdSchema,
    status: SimulationStatusSchema,
    // A union, not .nullable(): the generator renders a nullable $ref as allOf, which no null satisfies.
    summary: z.union([SummarySchema, z.null()]).openapi({ description: 'Null when the point failed or was cancelled.' }),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
  })
  .openapi('SweepRow');

export const SweepResultSchema = z.object({ rows: z.array(SweepRowSchema) }).openapi('SweepResult', { description: 'One row per point, in axis order (the first axis outermost).' });

export const ComparisonRequestSchema = z
  .object({
    scenarios: z.array(ScenarioSchema).min(MIN_COMPARISON_SCENARIOS).max(MAX_COMPARISON_SCENARIOS),
  })
  .strict()
  .openapi('ComparisonRequest', {
    example: {
      scenarios: [
        { name: 'THP never', dataset: { usedMemoryBytes: '8GiB', valueBytes: 100 }, workload: { writesPerSec: 20000 }, kernel: { thp: 'never' } },
        { name: 'THP always, old kernel', dataset: { usedMemoryBytes: '8GiB', valueBytes: 100 }, workload: { writesPerSec: 20000 }, kernel: { thp: 'always', thpCow: 'copy-2m' }, redis: { disableThp: false } },
      ],
    },
  });

export const ComparisonSchema = z
  .object({
    status: SimulationStatusSchema.openapi({ description: '`completed` once every scenario has; `failed` or `cancelled` when one of them is.' }),
    progress: z.number().min(0).max(1),
    baseline: SimulationIdSchema.openapi({ description: 'The first scenario’s simulation: every difference is against it.' }),
    items: z.array(
      z.object({
        simulationId: SimulationIdSchema,
        name: z.string().nullable(),
        status: SimulationStatusSchema,
        summary: z.union([SummarySchema, z.null()]),
        differences: z
          .record(z.string(), z.number())
          .nullable()
          .openapi({ description: 'This scenario’s value minus the first scenario’s, for every numeric summary field (dotted names); null until both completed.' }),
        links: z.object({ self: z.string(), result: z.string(), events: z.string() }),
      }),
    ),
  })
  .openapi('Comparison');

export type SweepRow = z.infer<typeof SweepRowSchema>;
export type SweepResult = z.infer<typeof SweepResultSchema>;
export type SweepRecord = z.infer<typeof SweepRecordSchema>;
export type Comparison = z.infer<typeof ComparisonSchema>;
