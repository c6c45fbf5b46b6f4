// The dataset: the one-string-segment shorthand (keys or used memory, one value size), or a
// list of segments, each one kind of key — strings, hashes, sets, sorted sets, lists — with its
// own sizes, expiry and share of the writes.
import { DEFAULT_KEY_BYTES } from '../engine/defaults.js';
import { LIMITS } from '../engine/limits.js';
import { KeyDistributionSchema } from './key-distribution.js';
import { byteSize } from './units.js';
import { z } from './zod.js';

const TtlSchema = z
  .object({
    share: z.number().min(0).max(1).openapi({ description: 'Share of the segment’s keys that carry an expiry.' }),
    remainingSec: z
      .object({
        from: z.number().min(0).max(LIMITS.maxTtlSec).default(0),
        to: z.number().gt(0).max(LIMITS.maxTtlSec),
      })
      .strict()
      .refine((r) => r.from < r.to, { message: 'remainingSec.from must be below remainingSec.to', path: ['from'] })
      .openapi({
        description: 'Their remaining lifetimes at the fork, uniform between from and to seconds; a fixed TTL of T seconds in steady state is { to: T }.',
      }),
  })
  .strict()
  .openapi('Ttl');

/** What every segment has. */
const segmentBase = {
  name: z.string().max(100).optional(),
  keys: z.number().int().min(1).max(LIMITS.maxKeys).openapi({ description: 'Keys in the segment.' }),
  keyBytes: z.number().int().min(1).max(LIMITS.maxKeyBytes).optional().openapi({ description: 'Key name length; default dataset.keyBytes.' }),
  ttl: TtlSchema.optional(),
  writeShare: z
    .number()
    .min(0)
    .max(1)
    .optional()
    .openapi({ description: 'Share of workload.writesPerSec (write commands) going to this segment; default: by key count. Given shares must not exceed 1; the rest is split by key count over the others.' }),
  keyDistribution: KeyDistributionSchema.optional().openapi({ description: 'Which of the segment’s keys the writes hit; default workload.keyDistribution.' }),
};

const elements = z.number().int().min(1).max(LIMITS.maxElementsPerKey).openapi({ description: 'Elements per key.' });

export const SegmentSchema = z
  .discriminatedUnion('type', [
    z
      .object({
        type: z.literal('string'),
        ...segmentBase,
        valueBytes: byteSize(1, LIMITS.maxValueBytes).openapi({ description: 'Value length.' }),
        valueEncoding: z
          .enum(['auto', 'int', 'embstr', 'raw'])
          .default('auto')
          .openapi({ description: 'auto: by Redis’s rules (an integer that fits a long is int, up to 44 B embstr, else raw); int for counters.' }),
        writeOp: z.enum(['SET', 'INCR']).optional().openapi({ description: 'SET of the same size (default), or INCR of an int counter.' }),
      })
      .strict(),
    z
      .object({
        type: z.literal('hash'),
        ...segmentBase,
        elements,
        elementBytes: z.number().int().min(2).max(LIMITS.maxElementBytes).openapi({ description: 'Field + value bytes of one entry.' }),
        fieldBytes: z
          .number()
          .int()
          .min(1)
          .max(LIMITS.maxElementBytes)
          .optional()
          .openapi({ description: 'The field’s part of elementBytes (its encoding depends on each against hash-max-listpack-value); default half.' }),
        writeOp: z.enum(['HSET']).optional().openapi({ description: 'HSET of one existing field with a value of the same size.' }),
      })
      .strict(),
    z
      .object({
        type: z.literal('set'),
        ...segmentBase,
        elements,
        elementBytes: z.number().int().min(1).max(LIMITS.maxElementBytes).openapi({ description: 'Member bytes (2, 4 or 8 for integer members: the width they need).' }),
        intMembers: z.boolean().default(false).openapi({ description: 'Members are integers: an intset while at most set-max-intset-entries.' }),
        writeOp: z.enum(['SREM+SADD']).optional().openapi({ description: 'SREM of one member then SADD of a new one (two commands; the size stays).' }),
      })
      .strict(),
    z
      .object({
        type: z.literal('zset'),
        ...segmentBase,
        elements,
        elementBytes: z.number().int().min(1).max(LIMITS.maxElementBytes).openapi({ description: 'Member bytes.' }),
        writeOp: z.enum(['ZINCRBY']).optional().openapi({ description: 'ZINCRBY of an existing member.' }),
      })
      .strict(),
    z
      .object({
        type: z.literal('list'),
        ...segmentBase,
        elements,
        elementBytes: z.number().int().min(1).max(LIMITS.maxElementBytes).openapi({ description: 'Entry bytes.' }),
        writeOp: z.enum(['LPUSH+RPOP']).optional().openapi({ description: 'LPUSH then RPOP: a queue of stable length (two commands).' }),
      })
      .strict(),
  ])
  .openapi('Segment', { description: 'One kind of key in the dataset.' });

export const DatasetSchema = z
  .object({
    keys: z.number().int().min(1).max(LIMITS.maxKeys).optional().openapi({ description: 'Number of string keys (the one-segment shorthand).' }),
    usedMemoryBytes: byteSize(LIMITS.minUsedMemoryBytes, LIMITS.maxUsedMemoryBytes)
      .optional()
      .openapi({ description: 'INFO used_memory; the key count is derived from it when `keys` is absent (shorthand only).' }),
    valueBytes: byteSize(1, LIMITS.maxValueBytes).optional().openapi({ description: 'Mean value size in bytes (shorthand only).' }),
    keyBytes: z.number().int().min(1).max(LIMITS.maxKeyBytes).default(DEFAULT_KEY_BYTES).openapi({ description: 'Key name length.' }),
    segments: z.array(SegmentSchema).min(1).max(LIMITS.maxSegments).optional().openapi({
      description: 'The dataset as segments of one kind of key each; instead of keys/usedMemoryBytes/valueBytes.',
    }),
  })
  .strict()
  .superRefine((dataset, ctx) => {
    if (dataset.segments !== undefined) {
      for (const field of ['keys', 'usedMemoryBytes', 'valueBytes'] as const) {
        if (dataset[field] !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: `give dataset.segments or dataset.${field}, not both` });
      }
      dataset.segments.forEach((s, i) => {
        if (s.type === 'hash' && s.fieldBytes !== undefined && s.fieldBytes >= s.elementBytes) {
          ctx.addIssue({ code: 'custom', path: ['segments', i, 'fieldBytes'], message: 'fieldBytes must be below elementBytes (field + value)' });
        }
      });
      const shares = dataset.segments.reduce((sum, s) => sum + (s.writeShare ?? 0), 0);
      if (shares > 1 + 1e-9) ctx.addIssue({ code: 'custom', path: ['segments'], message: `writeShare values add up to ${shares}, more than 1` });
      return;
    }
    if ((dataset.keys === undefined) === (dataset.usedMemoryBytes === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['keys'], message: 'give exactly one of dataset.keys and dataset.usedMemoryBytes' });
    }
    if (dataset.valueBytes === undefined) ctx.addIssue({ code: 'custom', path: ['valueBytes'], message: 'dataset.valueBytes is required with dataset.keys or dataset.usedMemoryBytes' });
  });

export type Segment = z.output<typeof SegmentSchema>;
export type SegmentType = Segment['type'];
