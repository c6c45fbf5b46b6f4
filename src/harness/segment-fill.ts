// Filling the server with a validation scenario's segments: strings of one size by DEBUG
// POPULATE with the segment's key prefix (src/debug.c), everything else — hashes (HSET with
// every field in one command), sets (SADD), sorted sets (ZADD), lists (RPUSH), INCR counters —
// by pipelined writes on one raw socket (RespPipe). A segment given as a share of dataset_mib
// is sized by the engine's own per-key layout (src/engine/dataset.ts), as keysForDataset does
// for the one-size fill. Expiries (PEXPIRE) are set just before the BGSAVE, so that they fall
// due while the child lives.
import type { Redis } from 'ioredis';
import { buildDataset, commandShares } from '../engine/dataset.js';
import { DEFAULT_ENCODING_CONFIG } from '../engine/encodings.js';
import { Permutation } from '../engine/permutation.js';
import { round } from '../engine/numbers.js';
import type { ValidationScenario, ValidationSegment } from '../measured-run/validation-scenario.js';
import type { FillRecord } from './fill.js';
import { infoNumber, parseInfo } from './redis-info.js';
import { encodeCommand, RespPipe } from './resp-pipe.js';
import { SegmentCommands, type LoadSegment } from './segment-commands.js';

/** Keys whose OBJECT ENCODING is checked after the fill. */
const SAMPLE_KEYS = 8;
/** Fill commands in flight: ~8 MiB of them (as defaultMaxInflight), 16 to 512. */
const FILL_WINDOW_BYTES = 8 * 2 ** 20;

export interface SegmentFillRecord {
  name: string;
  type: LoadSegment['type'];
  prefix: string;
  keys: number;
  key_bytes: number;
  elements: number;
  element_bytes: number;
  field_bytes: number | null;
  int_members: boolean;
  write_op: LoadSegment['writeOp'];
  /** As given; null: by key count. */
  write_share: number | null;
  command_share: number;
  encodings_seen: string[];
  seconds: number;
  /** Expiries set before the BGSAVE: remaining lifetimes uniform from..to seconds at PEXPIRE; lead: PEXPIRE to BGSAVE. */
  ttl: { share: number; keys: number; from: number; to: number; lead_seconds: number | null } | null;
}

const WRITE_OPS: Record<LoadSegment['type'], LoadSegment['writeOp']> = {
  string: 'SET',
  hash: 'HSET',
  set: 'SREM+SADD',
  zset: 'ZINCRBY',
  list: 'LPUSH+RPOP',
};

const keyBytesOf = (prefix: string, keys: number) => `${prefix}:${keys - 1}`.length;

function shapeOf(g: ValidationSegment) {
  const elementBytes = g.type === 'string' ? (g.value_bytes ?? 10) : g.element_bytes!;
  return {
    elements: g.type === 'string' ? 1 : g.elements!,
    elementBytes,
    fieldBytes: g.type === 'hash' ? (g.field_bytes ?? Math.floor(elementBytes / 2)) : 0,
    writeOp: g.type === 'string' && g.write_op === 'INCR' ? ('INCR' as const) : WRITE_OPS[g.type],
  };
}

/** The engine's used memory for `keys` keys of the segment (its share of the main dictionary included). */
function engineSegmentBytes(g: ValidationSegment, prefix: string, keys: number): number {
  const shape = shapeOf(g);
  const run = buildDataset({
    segments: [
      {
        name: prefix,
        type: g.type,
        keys,
        keyBytes: keyBytesOf(prefix, keys),
        valueBytes: shape.elementBytes,
        fieldBytes: g.type === 'hash' ? shape.fieldBytes : null,
        elements: shape.elements,
        intMembers: g.int_members,
        valueEncoding: shape.writeOp === 'INCR' ? 'int' : 'auto',
        ttlShare: 0,
        writeShare: null,
        distribution: { type: 'uniform' },
      },
    ],
    config: DEFAULT_ENCODING_CONFIG,
    newKeyFraction: 0,
    deleteFraction: 0,
    fragmentationRatio: undefined,
    hugePages: false,
  });
  return run.segments[0]!.usedMemoryBytes + run.mainDictBytes;
}

/** Keys that make `targetBytes` of used memory by the engine's layout (the key name length follows the count). */
export function keysForSegmentBytes(g: ValidationSegment, prefix: string, targetBytes: number): number {
  let keys = 1000;
  for (let i = 0; i < 4; i++) keys = Math.max(1, Math.round((targetBytes * keys) / engineSegmentBytes(g, prefix, keys)));
  return keys;
}

/** The scenario's segments with their key counts, sizes, write ops and command shares. */
export function resolveLoadSegments(scenario: Pick<ValidationScenario, 'segments' | 'dataset_mib'>): LoadSegment[] {
  const specs = scenario.segments ?? [];
  const sized = specs.map((g, i) => {
    const prefix = `s${i}`;
    const keys = g.keys ?? keysForSegmentBytes(g, prefix, g.share! * scenario.dataset_mib! * 2 ** 20);
    return { g, prefix, keys };
  });
  const shares = commandShares(sized.map(({ g, keys }) => ({ keys, writeShare: g.write_share ?? null })));
  let offset = 0;
  return sized.map(({ g, prefix, keys }, i) => {
    const shape = shapeOf(g);
    const segment: LoadSegment = {
      name: g.name ?? `${g.type}-${i}`,
      type: g.type,
      prefix,
      keys,
      elements: shape.elements,
      elementBytes: shape.elementBytes,
      fieldBytes: shape.fieldBytes,
      intMembers: g.int_members,
      writeOp: shape.writeOp,
      commandShare: shares[i]!,
      keyOffset: offset,
    };
    offset += keys;
    return segment;
  });
}

export interface SegmentFill {
  record: FillRecord;
  segments: LoadSegment[];
}

/** Fills every segment and checks the encodings; the key counts and what OBJECT ENCODING said go to the record. */
export async function fillSegments(redis: Redis, port: number, scenario: ValidationScenario): Promise<SegmentFill> {
  const started = performance.now();
  const segments = resolveLoadSegments(scenario);
  const records: SegmentFillRecord[] = [];
  const pipe = await RespPipe.connect(port);
  try {
    for (const [i, segment] of segments.entries()) {
      const spec = scenario.segments![i]!;
      const segmentStarted = performance.now();
      if (segment.type === 'string' && segment.writeOp === 'SET') {
        await redis.call('DEBUG', 'POPULATE', String(segment.keys), segment.prefix, String(segment.elementBytes));
      } else {
        const commands = new SegmentCommands(segment, scenario.seed + i);
        const bytes = encodeCommand(commands.fill(0)).length;
        const window = Math.max(16, Math.min(512, Math.floor(FILL_WINDOW_BYTES / bytes)));
        const result = await pipe.run(segment.keys, (n) => encodeCommand(commands.fill(n)), window);
        if (result.errors > 0) throw new Error(`filling segment ${segment.name}: ${result.errors} errors, first: ${result.firstError}`);
      }
      const encodings = await sampleEncodings(redis, segment);
      if (spec.encoding !== undefined && encodings.some((e) => e !== spec.encoding)) {
        throw new Error(`segment ${segment.name}: expected encoding ${spec.encoding}, OBJECT ENCODING gave ${encodings.join(', ')}`);
      }
      records.push({
        name: segment.name,
        type: segment.type,
        prefix: segment.prefix,
        keys: segment.keys,
        key_bytes: keyBytesOf(segment.prefix, segment.keys),
        elements: segment.elements,
        element_bytes: segment.elementBytes,
        field_bytes: segment.type === 'hash' ? segment.fieldBytes : null,
        int_members: segment.intMembers,
        write_op: segment.writeOp,
        write_share: spec.write_share ?? null,
        command_share: round(segment.commandShare, 6),
        encodings_seen: [...new Set(encodings)],
        seconds: round((performance.now() - segmentStarted) / 1000, 2),
        ttl: spec.ttl ? { share: spec.ttl.share, keys: Math.round(spec.ttl.share * segment.keys), from: spec.ttl.from, to: spec.ttl.to, lead_seconds: null } : null,
      });
    }
  } finally {
    pipe.close();
  }
  const info = parseInfo(await redis.info('memory'));
  const keys = segments.reduce((sum, s) => sum + s.keys, 0);
  const targetBytes = scenario.dataset_mib !== undefined ? scenario.dataset_mib * 2 ** 20 : 0;
  return {
    segments,
    record: {
      keys,
      key_bytes: Math.max(...records.map((r) => r.key_bytes)),
      keys_populated: keys,
      keys_deleted: 0,
      bytes_per_key_estimate: round(targetBytes / keys, 1),
      seconds: round((performance.now() - started) / 1000, 2),
      populate_seconds: round((performance.now() - started) / 1000, 2),
      delete_seconds: 0,
      used_memory: infoNumber(info, 'used_memory'),
      used_memory_rss: infoNumber(info, 'used_memory_rss'),
      mem_fragmentation_ratio: infoNumber(info, 'mem_fragmentation_ratio'),
      allocator_frag_ratio: infoNumber(info, 'allocator_frag_ratio'),
      segments: records,
    },
  };
}

async function sampleEncodings(redis: Redis, segment: LoadSegment): Promise<string[]> {
  const picks = Array.from({ length: Math.min(SAMPLE_KEYS, segment.keys) }, (_, i) => Math.floor(((i + 0.5) * segment.keys) / Math.min(SAMPLE_KEYS, segment.keys)));
  const encodings: string[] = [];
  for (const n of picks) encodings.push(String(await redis.object('ENCODING', `${segment.prefix}:${n}`)));
  return encodings;
}

/**
 * PEXPIRE on each TTL segment's share of keys (a seeded scatter over the segment), lifetimes
 * spread evenly from..to seconds; returns the middle of the PEXPIREs (performance.now()), from
 * which the lifetimes count, or null when no segment has a TTL.
 */
export async function applyTtls(port: number, record: FillRecord, seed: number): Promise<number | null> {
  const withTtl = (record.segments ?? []).filter((s) => s.ttl !== null);
  if (withTtl.length === 0) return null;
  const started = performance.now();
  const pipe = await RespPipe.connect(port);
  try {
    for (const s of withTtl) {
      const { keys, from, to } = s.ttl!;
      const scatter = new Permutation(s.keys, seed);
      const result = await pipe.run(keys, (i) => encodeCommand(['PEXPIRE', `${s.prefix}:${scatter.apply(i)}`, String(Math.round(1000 * (from + ((to - from) * (i + 0.5)) / keys)))]));
      if (result.errors > 0) throw new Error(`PEXPIRE on segment ${s.name}: ${result.errors} errors, first: ${result.firstError}`);
    }
  } finally {
    pipe.close();
  }
  return (started + performance.now()) / 2;
}
