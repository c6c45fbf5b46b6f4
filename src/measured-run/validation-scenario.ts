// One scenario for the harness to measure. A BGSAVE (no `kind`, or `"kind": "bgsave"`): the
// `scenario` field of a measured run (the ground-truth shape, snake_case) plus whether it
// belongs to the quick subset; `dataset_mib` sizes the fill by the engine's own per-key layout.
// A full sync or an AOF rewrite (`"kind": "full-sync"` | `"aof-rewrite"`): the master's
// settings for src/harness/sync-probe.ts, in Redis's own terms. A BGSAVE's `segments` fill
// the server with keys of several types and encodings (src/harness/segment-fill.ts) instead of
// one DEBUG POPULATE of strings, and load each with its type's write command.
import { z } from '../schemas/zod.js';
import { RunDistributionSchema } from './schema.js';

const name = z.string().regex(/^[A-Za-z0-9._-]{1,80}$/, 'letters, digits, dot, dash and underscore (it names the report file)');

/** Types a segment can hold, and the write op of each (the engine's `writeOp`s, src/schemas/dataset.ts). */
export const SEGMENT_TYPES = ['string', 'hash', 'set', 'zset', 'list'] as const;

export const ValidationSegmentSchema = z
  .object({
    type: z.enum(SEGMENT_TYPES),
    name: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/).optional(),
    /** Keys in the segment, or its share of dataset_mib sized by the engine's layout. */
    keys: z.number().int().min(1).max(2 ** 31).optional(),
    share: z.number().gt(0).max(1).optional(),
    /** Elements per key (aggregates). */
    elements: z.number().int().min(1).max(100_000).optional(),
    /** Bytes of a member or list entry; a hash's field + value. */
    element_bytes: z.number().int().min(1).max(2 ** 16).optional(),
    /** A hash field's part of element_bytes; default half. */
    field_bytes: z.number().int().min(1).max(2 ** 16).optional(),
    /** Set members are integers (an intset up to set-max-intset-entries). */
    int_members: z.boolean().default(false),
    /** A string's value bytes. */
    value_bytes: z.number().int().min(1).max(2 ** 20).optional(),
    /** Strings: SET of the same size, or INCR of an int counter. */
    write_op: z.enum(['SET', 'INCR']).optional(),
    /** Share of the write commands; default by key count over the segments without one (as the engine splits). */
    write_share: z.number().min(0).max(1).optional(),
    /** PEXPIRE on this share of the keys just before the BGSAVE, remaining lifetimes uniform from `from` to `to` seconds after it. */
    ttl: z
      .object({ share: z.number().gt(0).max(1), from: z.number().min(0).max(3600).default(0), to: z.number().gt(0).max(3600) })
      .strict()
      .refine((t) => t.from < t.to, { message: 'ttl.from must be below ttl.to', path: ['from'] })
      .optional(),
    /** OBJECT ENCODING every sampled key must report after the fill. */
    encoding: z.enum(['int', 'embstr', 'raw', 'listpack', 'hashtable', 'intset', 'skiplist', 'quicklist']).optional(),
  })
  .strict()
  .superRefine((g, ctx) => {
    if ((g.keys === undefined) === (g.share === undefined)) ctx.addIssue({ code: 'custom', path: ['keys'], message: 'give exactly one of keys and share' });
    if (g.type === 'string') {
      if (g.value_bytes === undefined && g.write_op !== 'INCR') ctx.addIssue({ code: 'custom', path: ['value_bytes'], message: 'a string segment needs value_bytes (or write_op INCR)' });
      for (const field of ['elements', 'element_bytes', 'field_bytes'] as const) {
        if (g[field] !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: `${field} is an aggregate's` });
      }
      // An expired key that SET writes again is the same key; INCR would make a shared small integer.
      if (g.ttl !== undefined && g.write_op === 'INCR') ctx.addIssue({ code: 'custom', path: ['ttl'], message: 'ttl needs write_op SET' });
      return;
    }
    if (g.elements === undefined) ctx.addIssue({ code: 'custom', path: ['elements'], message: `a ${g.type} segment needs elements` });
    if (g.element_bytes === undefined) ctx.addIssue({ code: 'custom', path: ['element_bytes'], message: `a ${g.type} segment needs element_bytes` });
    if (g.value_bytes !== undefined || g.write_op !== undefined) ctx.addIssue({ code: 'custom', path: ['value_bytes'], message: 'value_bytes and write_op are a string segment’s' });
    // Writing an expired aggregate would create a one-element key: the dataset would change shape.
    if (g.ttl !== undefined) ctx.addIssue({ code: 'custom', path: ['ttl'], message: 'ttl is for string segments' });
    if (g.field_bytes !== undefined && (g.type !== 'hash' || g.field_bytes >= (g.element_bytes ?? 0))) {
      ctx.addIssue({ code: 'custom', path: ['field_bytes'], message: 'field_bytes is a hash’s, below element_bytes' });
    }
    if (g.int_members && g.type !== 'set') ctx.addIssue({ code: 'custom', path: ['int_members'], message: 'int_members is a set’s' });
  });

export type ValidationSegment = z.output<typeof ValidationSegmentSchema>;

export const ValidationScenarioSchema = z
  .object({
    name,
    kind: z.literal('bgsave').optional(),
    description: z.string().max(300).optional(),
    quick: z.boolean().default(false),
    dataset_mib: z.number().gt(0).max(64 * 1024).optional(),
    keys: z.number().int().min(1).max(2 ** 31).optional(),
    /** String values of the one DEBUG POPULATE fill; absent with `segments`. */
    value_bytes: z.number().int().min(1).max(2 ** 20).optional(),
    /** Keys of several types instead of the one fill; their shares size them against dataset_mib. */
    segments: z.array(ValidationSegmentSchema).min(1).max(16).optional(),
    /** Write commands per second (a SREM+SADD or LPUSH+RPOP pair is two). */
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
    if (s.segments !== undefined) {
      segmentScenarioIssues(s.segments, s, ctx);
      return;
    }
    if ((s.dataset_mib === undefined) === (s.keys === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['dataset_mib'], message: 'give exactly one of dataset_mib and keys' });
    }
    if (s.value_bytes === undefined) ctx.addIssue({ code: 'custom', path: ['value_bytes'], message: 'value_bytes is required without segments' });
  });

function segmentScenarioIssues(
  segments: ValidationSegment[],
  s: { keys?: number | undefined; value_bytes?: number | undefined; dataset_mib?: number | undefined; fragmentation: { induce: boolean } },
  ctx: z.RefinementCtx,
): void {
  for (const field of ['keys', 'value_bytes'] as const) {
    if (s[field] !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: `give segments or ${field}, not both` });
  }
  if (s.fragmentation.induce) ctx.addIssue({ code: 'custom', path: ['fragmentation'], message: 'induced fragmentation is for the one DEBUG POPULATE fill' });
  const shares = segments.reduce((sum, g) => sum + (g.share ?? 0), 0);
  if (shares > 0 && s.dataset_mib === undefined) ctx.addIssue({ code: 'custom', path: ['dataset_mib'], message: 'segment shares need dataset_mib' });
  if (shares > 1 + 1e-9) ctx.addIssue({ code: 'custom', path: ['segments'], message: `segment shares add up to ${shares}, more than 1` });
  const writeShares = segments.reduce((sum, g) => sum + (g.write_share ?? 0), 0);
  if (writeShares > 1 + 1e-9) ctx.addIssue({ code: 'custom', path: ['segments'], message: `write_share values add up to ${writeShares}, more than 1` });
}

export type ValidationScenario = z.output<typeof ValidationScenarioSchema>;
export type ValidationScenarioInput = z.input<typeof ValidationScenarioSchema>;

/** Redis's memory units (redis.conf, "Units"; `src/util.c` memtoull): k and m are powers of 1000, kb and mb of 1024. */
const REDIS_UNIT_BYTES: Record<string, number> = { '': 1, b: 1, k: 1e3, kb: 1024, m: 1e6, mb: 1024 ** 2, g: 1e9, gb: 1024 ** 3 };

/** "8mb" → 8388608, as Redis reads a memory figure; undefined when it would refuse it. */
export function parseRedisBytes(text: string): number | undefined {
  const match = /^(\d+)([a-z]*)$/i.exec(text);
  const factor = match ? REDIS_UNIT_BYTES[match[2]!.toLowerCase()] : undefined;
  return match && factor !== undefined ? Number(match[1]) * factor : undefined;
}

/** `client-output-buffer-limit replica <hard> <soft> <seconds>`, written as Redis takes it: "8mb 4mb 10". */
const OutputBufferLimitText = z.string().transform((text, ctx) => {
  const [hard, soft, sec, ...rest] = text.trim().split(/\s+/);
  const hardBytes = parseRedisBytes(hard ?? '');
  const softBytes = parseRedisBytes(soft ?? '');
  const softSec = /^\d+$/.test(sec ?? '') ? Number(sec) : undefined;
  if (hardBytes === undefined || softBytes === undefined || softSec === undefined || rest.length > 0) {
    ctx.addIssue({ code: 'custom', message: 'expected "<hard> <soft> <seconds>" as Redis writes it, e.g. "8mb 4mb 10"' });
    return z.NEVER;
  }
  return { hardBytes, softBytes, softSec };
});

export const SYNC_KINDS = ['full-sync', 'aof-rewrite'] as const;
const REPLICA_OPTIONS = ['diskless', 'diskless_sync_delay_sec', 'output_buffer_limit', 'replicas'] as const;

export const SyncValidationScenarioSchema = z
  .object({
    name,
    kind: z.enum(SYNC_KINDS),
    description: z.string().max(300).optional(),
    quick: z.boolean().default(false),
    dataset_mib: z.number().gt(0).max(64 * 1024),
    value_bytes: z.number().int().min(1).max(2 ** 20),
    write_rate: z.number().min(0).max(1e6).default(0),
    /** What one save should take, stretched with rdb-key-save-delay. */
    snapshot_seconds: z.number().gt(0).max(600),
    /** repl-diskless-sync. */
    diskless: z.boolean().optional(),
    /** repl-diskless-sync-delay. */
    diskless_sync_delay_sec: z.number().int().min(0).max(3600).optional(),
    /** client-output-buffer-limit replica; absent keeps 256mb 64mb 60. */
    output_buffer_limit: OutputBufferLimitText.optional(),
    /** The master's `save` rule, set after the probe saves: "" (none) or "<seconds> <changes> …". */
    save: z
      .string()
      .regex(/^(\d+ \d+( \d+ \d+)*)?$/, 'expected "" or "<seconds> <changes>" pairs, e.g. "3600 1000000"')
      .default(''),
    /** Replicas sent REPLICAOF together at t = 0. */
    replicas: z.number().int().min(1).max(4).optional(),
    /** Stop here even if the sync never settles. */
    horizon_seconds: z.number().gt(0).max(600).default(60),
    /** Stop a disconnect loop after this many forks. */
    max_forks: z.number().int().min(1).max(100).default(3),
    /** Samples kept after the sync or rewrite settled. */
    after_settle_seconds: z.number().min(0).max(60).default(2),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.kind !== 'aof-rewrite') return;
    for (const option of REPLICA_OPTIONS) {
      if (s[option] !== undefined) ctx.addIssue({ code: 'custom', path: [option], message: `${option} is a full sync's: an aof-rewrite has no replica` });
    }
  });

export type SyncValidationScenario = z.output<typeof SyncValidationScenarioSchema>;
export type SyncValidationScenarioInput = z.input<typeof SyncValidationScenarioSchema>;

/** Any scenario of the file: a BGSAVE, or a full sync or AOF rewrite. */
export type ValidationEntry = ValidationScenario | SyncValidationScenario;

export function isSyncScenario(entry: ValidationEntry): entry is SyncValidationScenario {
  return (SYNC_KINDS as readonly string[]).includes(entry.kind ?? 'bgsave');
}

/** An entry parsed by its kind's schema, so that a bad field is named by its own path. */
export const ValidationEntrySchema = z.unknown().transform((value, ctx): ValidationEntry => {
  const kind = typeof value === 'object' && value !== null ? (value as { kind?: unknown }).kind : undefined;
  const schema = (SYNC_KINDS as readonly unknown[]).includes(kind) ? SyncValidationScenarioSchema : ValidationScenarioSchema;
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  // continue: the file's array-or-object union then reports these, not that neither shape matched.
  for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path, continue: true });
  return z.NEVER;
});
