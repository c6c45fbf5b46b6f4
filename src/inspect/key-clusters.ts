// Sampled keys grouped into segments: one group per type and encoding (the encoding decides the
// allocations a write touches, MODEL.md §9), split into bands of size — value length for
// strings, element count for aggregates — each a power of two wide (jemalloc's size classes
// double every four classes, so one band's values share a handful of classes). A band that
// holds too small a share of both the sampled keys and their memory joins its nearest
// neighbour in the group. Counts are the sample's, scaled by each database's keys / keys
// sampled from it (a SCAN prefix is a uniform subset: keys sit in buckets by their hash).
import { LIMITS } from '../engine/limits.js';
import type { SegmentType } from '../schemas/dataset.js';
import type { SampledKey } from './sampled-key.js';

const MODELLED: ReadonlySet<string> = new Set<SegmentType>(['string', 'hash', 'set', 'zset', 'list']);

/**
 * A band stays a segment of its own while it holds at least this share of the sampled keys or
 * of their memory. Every band's key share and memory share each add up to 1, so at most
 * 2 / threshold = LIMITS.maxSegments bands pass it.
 */
export const MIN_BAND_SHARE = 2 / LIMITS.maxSegments;

export interface KeyCluster {
  type: SegmentType;
  encoding: string;
  /** Band of log2(value bytes) for strings or log2(elements) for aggregates, lowest and highest merged. */
  bands: { from: number; to: number };
  sampledKeys: number;
  /** Keys it stands for: the sum of the sampled keys' weights. */
  keys: number;
  /** Standard error of `keys` from the sampling (0 when every key was sampled). */
  keysStdErr: number;
  keyBytes: number;
  /** Strings: mean STRLEN. */
  valueBytes: number;
  /** Aggregates: mean element count. */
  elements: number;
  /** Aggregates: mean bytes of an element over all elements (field + value for hashes). */
  elementBytes: number;
  /** Sets of integers (intset): the width the largest sampled member needs, 2, 4 or 8 bytes. */
  intWidthBytes: number | undefined;
  /** Weighted MEMORY USAGE of its keys; undefined when MEMORY USAGE was refused. */
  memoryBytes: number | undefined;
  /** Share of its keys with an expiry, and their remaining seconds (lowest, highest sampled). */
  ttl: { share: number; fromSec: number; toSec: number } | undefined;
  /** Sampled keys with a known idle time, and those idle less than the access window. */
  idle: { known: number; recent: number };
  members: SampledKey[];
}

export interface Clustering {
  clusters: KeyCluster[];
  /** Types the scenario does not model (streams, module types), with the keys they stand for. */
  unmodelled: Array<{ type: string; encoding: string; keys: number; memoryBytes: number | undefined }>;
}

export interface ClusterOptions {
  /** Keys idle (OBJECT IDLETIME) less than this many seconds count as recently accessed. */
  accessWindowSec: number;
  /** Keys per database in the instance and in the sample, for the standard error. */
  dbKeys: Record<number, { keys: number; sampled: number }>;
}

function bandOf(key: SampledKey): number {
  return Math.floor(Math.log2(Math.max(1, key.length)));
}

const sum = <T>(items: readonly T[], f: (item: T) => number) => items.reduce((s, item) => s + f(item), 0);
// Reductions rather than Math.min(...xs): a sample may hold more values than a call's arguments.
const min = (xs: readonly number[]) => xs.reduce((m, x) => (x < m ? x : m), Infinity);
const max = (xs: readonly number[]) => xs.reduce((m, x) => (x > m ? x : m), -Infinity);

/** 2, 4 or 8: what an intset needs for this magnitude (INTSET_ENC_INT16/32/64, `src/intset.c`). */
export function intsetWidthBytes(maxAbs: number): number {
  if (maxAbs <= 32_767) return 2;
  if (maxAbs <= 2_147_483_647) return 4;
  return 8;
}

function keysStdErr(members: readonly SampledKey[], dbKeys: ClusterOptions['dbKeys']): number {
  // Sampling without replacement, database by database: N²·p(1−p)/n·(1 − n/N).
  let variance = 0;
  const byDb = new Map<number, number>();
  for (const m of members) byDb.set(m.db, (byDb.get(m.db) ?? 0) + 1);
  for (const [db, hits] of byDb) {
    const counts = dbKeys[db];
    if (!counts || counts.sampled === 0 || counts.sampled >= counts.keys) continue;
    const p = hits / counts.sampled;
    variance += (counts.keys ** 2 * p * (1 - p) * (1 - counts.sampled / counts.keys)) / counts.sampled;
  }
  return Math.sqrt(variance);
}

function describe(type: SegmentType, encoding: string, members: SampledKey[], options: ClusterOptions): KeyCluster {
  const weight = sum(members, (m) => m.weight);
  const mean = (f: (m: SampledKey) => number) => sum(members, (m) => m.weight * f(m)) / weight;
  const bands = members.map(bandOf);
  const elementWeight = sum(members, (m) => (m.elementBytes.length > 0 ? m.weight * m.length : 0));
  const elementBytes =
    elementWeight > 0
      ? sum(members, (m) => (m.elementBytes.length > 0 ? (m.weight * m.length * sum(m.elementBytes, (b) => b)) / m.elementBytes.length : 0)) / elementWeight
      : 0;
  const expiring = members.filter((m) => m.ttlMs !== undefined);
  const ttlSec = expiring.map((m) => m.ttlMs! / 1000);
  const withMemory = members.filter((m) => m.memoryBytes !== undefined);
  const known = members.filter((m) => m.idleSec !== undefined);
  const intMembers = encoding === 'intset' ? members.map((m) => m.maxAbsIntMember).filter((v): v is number => v !== undefined) : [];
  return {
    type,
    encoding,
    bands: { from: min(bands), to: max(bands) },
    sampledKeys: members.length,
    keys: weight,
    keysStdErr: keysStdErr(members, options.dbKeys),
    keyBytes: mean((m) => m.keyBytes),
    valueBytes: type === 'string' ? mean((m) => m.length) : 0,
    elements: type === 'string' ? 0 : mean((m) => m.length),
    elementBytes,
    intWidthBytes: intMembers.length > 0 ? intsetWidthBytes(max(intMembers)) : undefined,
    memoryBytes: withMemory.length === members.length ? sum(members, (m) => m.weight * m.memoryBytes!) : undefined,
    ttl:
      expiring.length > 0
        ? { share: sum(expiring, (m) => m.weight) / weight, fromSec: min(ttlSec), toSec: max(ttlSec) }
        : undefined,
    idle: { known: known.length, recent: known.filter((m) => m.idleSec! < options.accessWindowSec).length },
    members,
  };
}

interface Band {
  from: number;
  to: number;
  members: SampledKey[];
}

/** Merges the weakest band into its nearer neighbour until every band passes `keep`. */
function mergeBands(bands: Band[], keep: (band: Band, bandsLeft: number) => boolean, score: (band: Band) => number): Band[] {
  const out = [...bands].sort((a, b) => a.from - b.from);
  while (out.length > 1) {
    const weakest = out.reduce((best, band, i) => (score(band) < score(out[best]!) ? i : best), 0);
    if (keep(out[weakest]!, out.length)) break;
    const left = out[weakest - 1];
    const right = out[weakest + 1];
    const band = out[weakest]!;
    const gap = (other: Band | undefined) => (other === undefined ? Infinity : Math.max(other.from - band.to, band.from - other.to));
    const into = gap(left) < gap(right) || (gap(left) === gap(right) && score(left!) >= score(right!)) ? weakest - 1 : weakest + 1;
    const target = out[into]!;
    out[into] = { from: Math.min(target.from, band.from), to: Math.max(target.to, band.to), members: [...target.members, ...band.members] };
    out.splice(weakest, 1);
  }
  return out;
}

export function clusterSample(sample: readonly SampledKey[], options: ClusterOptions): Clustering {
  const modelled = sample.filter((k) => MODELLED.has(k.type));
  const groups = new Map<string, SampledKey[]>();
  const unmodelled = new Map<string, SampledKey[]>();
  for (const key of sample) {
    const map = MODELLED.has(key.type) ? groups : unmodelled;
    const id = `${key.type}\u0000${key.encoding}`;
    const members = map.get(id);
    if (members) members.push(key);
    else map.set(id, [key]);
  }
  const totalWeight = sum(modelled, (k) => k.weight);
  const totalMemory = sum(modelled, (k) => k.weight * (k.memoryBytes ?? 0));
  const score = (band: Band) =>
    Math.max(sum(band.members, (k) => k.weight) / totalWeight, totalMemory > 0 ? sum(band.members, (k) => k.weight * (k.memoryBytes ?? 0)) / totalMemory : 0);

  let perGroup = [...groups.values()].map((members) => {
    const byBand = new Map<number, SampledKey[]>();
    for (const key of members) {
      const band = byBand.get(bandOf(key));
      if (band) band.push(key);
      else byBand.set(bandOf(key), [key]);
    }
    const bands = [...byBand.entries()].map(([b, m]) => ({ from: b, to: b, members: m }));
    return mergeBands(bands, (band) => score(band) >= MIN_BAND_SHARE, score);
  });
  // Groups alone can pass the segment limit only with a dozen encodings; bands beyond it go first.
  while (perGroup.reduce((n, bands) => n + bands.length, 0) > LIMITS.maxSegments) {
    const widest = perGroup.reduce((best, bands, i) => (bands.length > perGroup[best]!.length ? i : best), 0);
    if (perGroup[widest]!.length <= 1) break;
    const target = perGroup[widest]!.length - 1;
    perGroup = perGroup.map((bands, i) => (i === widest ? mergeBands(bands, (_band, left) => left <= target, score) : bands));
  }

  const clusters = perGroup
    .flat()
    .map((band) => describe(band.members[0]!.type as SegmentType, band.members[0]!.encoding, band.members, options))
    .sort((a, b) => b.keys - a.keys);
  return {
    clusters,
    unmodelled: [...unmodelled.values()].map((members) => ({
      type: members[0]!.type,
      encoding: members[0]!.encoding,
      keys: sum(members, (m) => m.weight),
      memoryBytes: members.every((m) => m.memoryBytes !== undefined) ? sum(members, (m) => m.weight * m.memoryBytes!) : undefined,
    })),
  };
}
