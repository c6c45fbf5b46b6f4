// One measured BGSAVE run, in the JSON shape of the ground-truth files
// (test/fixtures/ground-truth/*.json): snake_case fields named after Redis INFO and /proc.
// `forkcast validate` writes this shape, and the same loader turns either into a scenario.
import { z } from '../schemas/zod.js';

export const RunDistributionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('uniform') }),
  z.object({ type: z.literal('zipf'), s: z.number().gt(0).max(5).default(0.99) }),
  z.object({
    type: z.literal('hotset'),
    f: z.number().gt(0).lt(1).default(0.01),
    p: z.number().gt(0).lt(1).default(0.9),
  }),
  z.object({ type: z.literal('sequential') }),
]);

export type RunDistribution = z.output<typeof RunDistributionSchema>;

/** A write distribution as the reports name it: uniform, zipf(0.99), hot(1%/90%), sequential. */
export function distributionLabel(d: RunDistribution): string {
  return d.type === 'zipf' ? `zipf(${d.s})` : d.type === 'hotset' ? `hot(${d.f * 100}%/${d.p * 100}%)` : d.type;
}

/** Key name length of the largest of `keys` keys: DEBUG POPULATE names them key:0 … key:N-1. */
export function keyBytesFor(keys: number): number {
  return `key:${keys - 1}`.length;
}

/**
 * One sample every ~100 ms while the child lives, and a few after it exited (child fields
 * null then); t_s counts from the BGSAVE command.
 */
export interface RunSample {
  t_s: number;
  child_private_dirty_bytes: number | null;
  child_private_clean_bytes?: number;
  child_rss_bytes?: number;
  child_pss_bytes?: number;
  child_anon_huge_bytes?: number;
  parent_rss_bytes?: number;
  parent_private_dirty_bytes?: number;
  parent_anon_huge_bytes?: number;
  info_current_cow_size?: number | null;
  info_current_cow_peak?: number | null;
  fork_perc?: number | null;
  keys_processed?: number | null;
  rdb_temp_bytes?: number | null;
  keys_processed_est_from_rdb?: number | null;
  used_memory?: number | null;
  used_memory_rss?: number | null;
  bgsave_in_progress?: number | null;
  writes_so_far: number;
  writes_sent_so_far?: number;
  distinct_keys_written?: number;
  parent_minflt?: number;
  parent_utime_s?: number;
  parent_stime_s?: number;
  child_minflt?: number;
  child_utime_s?: number;
  child_stime_s?: number;
  info_ms?: number | null;
  thp_switch?: string | null;
}

const sample = z.looseObject({
  t_s: z.number(),
  child_private_dirty_bytes: z.number().nullable(),
  writes_so_far: z.number(),
});

const FillSegmentSchema = z.looseObject({
  name: z.string(),
  type: z.enum(['string', 'hash', 'set', 'zset', 'list']),
  keys: z.number().int().min(1),
  key_bytes: z.number().int().min(1),
  elements: z.number().int().min(1),
  element_bytes: z.number().int().min(1),
  field_bytes: z.number().int().min(1).nullable(),
  int_members: z.boolean(),
  write_op: z.enum(['HSET', 'SREM+SADD', 'ZINCRBY', 'LPUSH+RPOP', 'SET', 'INCR']),
  write_share: z.number().min(0).max(1).nullable(),
  ttl: z
    .looseObject({ share: z.number().gt(0).max(1), from: z.number().min(0), to: z.number().gt(0), lead_seconds: z.number().nullable() })
    .nullable(),
});

export type FillSegment = z.output<typeof FillSegmentSchema>;

/**
 * What the loader and the calibration read from a run; every other field passes through.
 * Ground-truth files and validate reports both satisfy it.
 */
export const MeasuredRunSchema = z.looseObject({
  scenario: z.looseObject({
    name: z.string(),
    /** Absent for a fill by segments (fill.segments). */
    value_bytes: z.number().int().min(1).optional(),
    distribution: RunDistributionSchema,
    thp: z.enum(['never', 'always']).default('never'),
    warmup_seconds: z.number().min(0).default(0),
  }),
  /** Probe saves before the load: each is a fork, so the measured one is not the first. */
  calibration: z.looseObject({ probes: z.array(z.unknown()).default([]) }).optional(),
  environment: z.looseObject({
    redis_disable_thp: z.enum(['yes', 'no']).optional(),
    redis_process_thp_enabled: z.number().nullable().optional(),
  }),
  fill: z.looseObject({
    keys: z.number().int().min(1),
    key_bytes: z.number().int().min(1).optional(),
    /** A fill by segments (src/harness/segment-fill.ts): what the engine's dataset.segments needs of each. */
    segments: z.array(FillSegmentSchema).min(1).optional(),
  }),
  prefork: z.looseObject({
    info: z.looseObject({ used_memory: z.number(), used_memory_rss: z.number() }),
  }),
  summary: z.looseObject({
    fork_ms: z.number(),
    snapshot_seconds: z.number().gt(0),
    write_rate_achieved: z.number().min(0),
    writes_during_snapshot: z.number().min(0),
    write_rate_warmup: z.number().min(0).nullable().optional(),
    peak_cow_bytes: z.number(),
    prefork_thp_coverage: z.number().nullable().optional(),
    parent_minor_faults_during_snapshot: z.number().nullable().optional(),
    parent_system_cpu_seconds_during_snapshot: z.number().nullable().optional(),
  }),
  series: z.array(sample),
});

export type MeasuredRunView = z.output<typeof MeasuredRunSchema>;
