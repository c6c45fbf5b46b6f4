// One scenario for the harness to measure: the `scenario` field of a measured run (the
// ground-truth shape, snake_case) plus whether it belongs to the quick subset. `dataset_mib`
// sizes the fill by the engine's own per-key layout.
import { z } from '../schemas/zod.js';
import { RunDistributionSchema } from './schema.js';

export const ValidationScenarioSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9._-]{1,80}$/, 'letters, digits, dot, dash and underscore (it names the report file)'),
    description: z.string().max(300).optional(),
    quick: z.boolean().default(false),
    dataset_mib: z.number().gt(0).max(64 * 1024).optional(),
    keys: z.number().int().min(1).max(2 ** 31).optional(),
    value_bytes: z.number().int().min(1).max(2 ** 20),
    write_rate: z.number().min(0).max(1e6).default(0),
    distribution: RunDistributionSchema.default({ type: 'uniform' }),
    snapshot_seconds: z.number().gt(0).max(600),
    thp: z.enum(['never', 'always']).default('never'),
    fragmentation: z
      .object({ induce: z.boolean().default(false), fill_factor: z.number().min(1.1).max(8).default(2) })
      .strict()
      .prefault({}),
    sample_interval_ms: z.number().int().min(20).max(1000).default(100),
    warmup_seconds: z.number().min(0).max(60).default(1),
    probe: z.boolean().default(true),
    probe_seconds: z.number().min(0.5).max(10).default(2.5),
    rdb_key_save_delay: z.number().int().min(-1e6).max(1e6).nullable().default(null),
    max_inflight: z.number().int().min(1).max(100_000).optional(),
    seed: z.number().int().min(0).max(2 ** 32 - 1).default(1),
  })
  .strict()
  .superRefine((s, ctx) => {
    if ((s.dataset_mib === undefined) === (s.keys === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['dataset_mib'], message: 'give exactly one of dataset_mib and keys' });
    }
  });

export type ValidationScenario = z.output<typeof ValidationScenarioSchema>;
export type ValidationScenarioInput = z.input<typeof ValidationScenarioSchema>;
