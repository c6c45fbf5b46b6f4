// A dataset of segments: each one kind of key (encodings.ts) laid out on slabs of its own, with
// its own write units, key distribution and share of the write commands, inside one server —
// one main dictionary, one startup footprint, one allocator. Segments are taken to occupy
// separate pages: keys of one kind are usually written together (a load, a migration, one
// service's traffic), so a page rarely mixes two segments' allocations.

import type { KeyDistribution } from './key-distribution.js';
import { encodeSegment, rdbValueBytes, type Encoding, type EncodingConfig, type SegmentShape, type SegmentType } from './encodings.js';
import { segmentCommandBytes } from './replication-stream.js';
import { PAGE_BYTES } from './jemalloc.js';
import { ALLOCATOR_BASE_RSS_BYTES, buildLayout, dictBuckets, EMPTY_SERVER_RSS_BYTES, REDIS_STARTUP_USED_MEMORY_BYTES, type RedisLayout } from './layout.js';
import { sizeClass } from './jemalloc.js';
import { writeMix, type WriteMix } from './write-mix.js';

export interface SegmentInput extends SegmentShape {
  name: string;
  keys: number;
  /** Share of the keys with an expiry. */
  ttlShare: number;
  /** Share of the write commands; null: by key count among those without one. */
  writeShare: number | null;
  distribution: KeyDistribution;
}

export interface SegmentRun {
  name: string;
  type: SegmentType;
  encoding: Encoding;
  keys: number;
  /** Write units: the keys, or their elements. */
  units: number;
  /** The units' slabs (no server around them); dictBytes: the bucket arrays writes land in. */
  layout: RedisLayout;
  /** Over the units. */
  writeMix: WriteMix;
  /** Share of the write commands. */
  commandShare: number;
  unitWritesPerCommand: number;
  bucketWritesPerCommand: number;
  /** Bytes of each key outside its units (robj, dict, skiplist header, untouched list nodes). */
  readOnlyBytes: number;
  /** Its share of the main dictionary's buckets, and its own tables'. */
  usedMemoryBytes: number;
  heapPages: number;
  /** Bytes one of its write commands adds to the replication stream. */
  commandBytes: number;
  /** Each key's value in the RDB, after the key name. */
  valueRdbBytes: number;
  keyBytes: number;
  /** Keys with an expiry. */
  keysWithExpire: number;
}

export interface DatasetRun {
  segments: SegmentRun[];
  keys: number;
  usedMemoryBytes: number;
  compactRssBytes: number;
  heapPages: number;
  mainDictBytes: number;
}

export interface DatasetOptions {
  segments: readonly SegmentInput[];
  config: EncodingConfig;
  newKeyFraction: number;
  deleteFraction: number;
  /** INFO mem_fragmentation_ratio, reproduced segment by segment; undefined: a compact heap. */
  fragmentationRatio: number | undefined;
  hugePages: boolean;
}

/** Write shares: as given, the rest by key count over the segments without one. */
export function commandShares(segments: readonly Pick<SegmentInput, 'keys' | 'writeShare'>[]): number[] {
  const given = segments.reduce((sum, s) => sum + (s.writeShare ?? 0), 0);
  const freeKeys = segments.reduce((sum, s) => sum + (s.writeShare === null ? s.keys : 0), 0);
  const rest = Math.max(0, 1 - given);
  return segments.map((s) => s.writeShare ?? (freeKeys > 0 ? (rest * s.keys) / freeKeys : 0));
}

export function buildDataset(options: DatasetOptions): DatasetRun {
  const totalKeys = options.segments.reduce((sum, s) => sum + s.keys, 0);
  const mainDictBytes = sizeClass(dictBuckets(totalKeys) * 8);
  const shares = commandShares(options.segments);
  const segments = options.segments.map((input, i): SegmentRun => {
    const encoded = encodeSegment(input, options.config);
    const units = input.keys * encoded.unitsPerKey;
    const layout = buildLayout({
      keys: units,
      keyBytes: input.keyBytes,
      valueBytes: input.valueBytes,
      allocations: encoded.unitAllocations,
      withServer: false,
      hugePages: options.hugePages,
      fragmentationRatio: options.fragmentationRatio,
    });
    const readOnlyBytes = input.keys * encoded.perKeyReadOnlyBytes;
    // Inserts and deletes rewrite main-dictionary buckets; a set's writes its own tables'.
    const dictBytes = (mainDictBytes * input.keys) / totalKeys + input.keys * encoded.perKeyBucketBytes;
    const heapPages = layout.heapPages + (readOnlyBytes + input.keys * encoded.perKeyBucketBytes) / PAGE_BYTES;
    return {
      name: input.name,
      type: input.type,
      encoding: encoded.encoding,
      keys: input.keys,
      units,
      layout: { ...layout, dictBytes, partialWritePagesPerKey: encoded.partialWritePagesPerUnit },
      writeMix: writeMix({ keys: units, distribution: input.distribution, newKeyFraction: options.newKeyFraction, deleteFraction: options.deleteFraction }),
      commandShare: shares[i]!,
      unitWritesPerCommand: encoded.unitWritesPerCommand,
      bucketWritesPerCommand: encoded.bucketWritesPerCommand,
      readOnlyBytes,
      usedMemoryBytes: layout.usedMemoryBytes + readOnlyBytes + input.keys * encoded.perKeyBucketBytes,
      heapPages,
      commandBytes: segmentCommandBytes(input.type, input.keyBytes, input.valueBytes),
      valueRdbBytes: rdbValueBytes(input, encoded),
      keyBytes: input.keyBytes,
      keysWithExpire: Math.round(input.keys * input.ttlShare),
    };
  });
  const segmentHeap = segments.reduce((sum, s) => sum + s.heapPages, 0);
  const segmentRss = segments.reduce((sum, s) => sum + s.layout.compactRssBytes + (s.heapPages - s.layout.heapPages) * PAGE_BYTES, 0);
  return {
    segments,
    keys: totalKeys,
    usedMemoryBytes: segments.reduce((sum, s) => sum + s.usedMemoryBytes, 0) + mainDictBytes + REDIS_STARTUP_USED_MEMORY_BYTES,
    compactRssBytes: segmentRss + mainDictBytes + ALLOCATOR_BASE_RSS_BYTES + EMPTY_SERVER_RSS_BYTES,
    heapPages: segmentHeap + mainDictBytes / PAGE_BYTES,
    mainDictBytes,
  };
}
