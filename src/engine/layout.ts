// How Redis 7.0 lays a keyspace of string keys out in jemalloc memory, and which pages an
// overwrite dirties (MODEL.md §3). Per key: a dictEntry (24 B), the key's sds copy, and the
// value — one embstr allocation up to 44 bytes, else a robj plus a raw sds. An overwrite
// writes the dictEntry's value pointer and a fresh robj/sds that jemalloc's thread cache
// serves from the slot the previous overwrite freed, so the pages dirtied are the slots of
// the distinct keys written, class by class. Key sds and bucket array are read, not written.

import {
  PAGE_BYTES,
  TCACHE_MAX_BYTES,
  gcd,
  isSmallClass,
  meanLargeExtentPages,
  sizeClass,
  slabGeometry,
  type SlabGeometry,
} from './jemalloc.js';
import { Rng } from './rng.js';

/** used_memory of an empty redis-server 7.0.15 (INFO used_memory_startup, measured). */
export const REDIS_STARTUP_USED_MEMORY_BYTES = 876_544;
/** RSS of an empty redis-server 7.0.15 process: binary, libraries, stacks (measured: 6680 kB). */
export const EMPTY_SERVER_RSS_BYTES = 6680 * 1024;
/**
 * jemalloc's own resident structures besides per-slab metadata (arenas, bins, thread caches,
 * base blocks): INFO allocator_resident − allocator_active less edata and radix-tree leaves
 * came to 2.2–2.7 MB in every measured run.
 */
export const ALLOCATOR_BASE_RSS_BYTES = 2.5 * 1024 * 1024;
/** sizeof(edata_t) in jemalloc 5.3: one per slab or extent, in base (metadata) pages. */
export const EDATA_BYTES = 128;
/** jemalloc's radix tree keeps one 8-byte leaf element per mapped heap page. */
export const RTREE_BYTES_PER_PAGE = 8;
export const DICT_ENTRY_BYTES = 24;
export const ROBJ_BYTES = 16;
/** OBJ_ENCODING_EMBSTR_SIZE_LIMIT: longer strings get a separate raw sds. */
export const EMBSTR_MAX_VALUE_BYTES = 44;
const MIN_DICT_BUCKETS = 4;

export type AllocationKind = 'value-embstr' | 'value-robj' | 'value-sds' | 'key-sds' | 'dict-entry';

export interface Allocation {
  kind: AllocationKind;
  /** Bytes requested from the allocator. */
  requestBytes: number;
  /** Usable bytes jemalloc returns (its size class). */
  usableBytes: number;
  /** Whether an overwrite writes this allocation (in place or into a recycled slot). */
  writtenOnOverwrite: boolean;
  /** Whether a Redis 7 fork child may madvise(DONTNEED) it after saving (raw sds only). */
  dismissible: boolean;
  /**
   * The bytes from its start whose pages one write dirties on average, where a write rewrites
   * only part of it (an element of a listpack that spans pages); default: all it asked for.
   */
  writtenBytes?: number;
}

/** How far from its start a write to this allocation reaches. */
export const writtenExtentBytes = (a: Allocation): number => a.writtenBytes ?? a.requestBytes;

export function sdsHeaderBytes(length: number): number {
  if (length < 1 << 5) return 1;
  if (length < 1 << 8) return 3;
  if (length < 1 << 16) return 5;
  if (length < 2 ** 32) return 9;
  return 17;
}

/** Usable bytes of one key's allocations. */
export function usableBytesPerKey(allocations: readonly Allocation[]): number {
  return allocations.reduce((sum, a) => sum + a.usableBytes, 0);
}

/** The allocations of one string key, in the order Redis makes them when the key is added. */
export function keyAllocations(keyBytes: number, valueBytes: number): Allocation[] {
  const allocations: Allocation[] = [];
  const add = (kind: AllocationKind, requestBytes: number, writtenOnOverwrite: boolean, dismissible = false) =>
    allocations.push({ kind, requestBytes, usableBytes: sizeClass(requestBytes), writtenOnOverwrite, dismissible });
  if (valueBytes <= EMBSTR_MAX_VALUE_BYTES) {
    add('value-embstr', ROBJ_BYTES + 3 + valueBytes + 1, true);
  } else {
    add('value-robj', ROBJ_BYTES, true);
    add('value-sds', sdsHeaderBytes(valueBytes) + valueBytes + 1, true, true);
  }
  // dbAdd stores sdsdup(key): a type-5 header for keys shorter than 32 bytes.
  add('key-sds', sdsHeaderBytes(keyBytes) + keyBytes + 1, false);
  add('dict-entry', DICT_ENTRY_BYTES, true);
  return allocations;
}

export function dictBuckets(keys: number): number {
  let size = MIN_DICT_BUCKETS;
  while (size < keys) size *= 2;
  return size;
}

/** One small size class that holds per-key allocations, laid out slab by slab. */
export interface SmallClassLayout {
  geometry: SlabGeometry;
  /** Allocation kinds in this class, in allocation order; a key's regions are adjacent. */
  kinds: Allocation[];
  /**
   * Slabs in one repeating period of the layout: 1 for a compact heap; with holes, enough slabs
   * for a random pattern of live and deleted keys (see thinnedPeriod).
   */
  periodSlabs: number;
  /** Live regions per period (fewer than periodSlabs × regionsPerSlab when deletes left holes). */
  liveRegionsPerPeriod: number;
  /** Byte offset of the i-th live region from the start of its period. */
  liveRegionStart: Float64Array;
  slabs: number;
  pages: number;
}

export interface LargeValueLayout {
  usableBytes: number;
  writtenBytes: number;
  /** Pages of one extent including jemalloc's cache-oblivious pad page. */
  extentPages: number;
  meanTouchedPages: number;
  meanWholeTouchedPages: number;
  /** Allocator metadata an overwrite writes; absent when the thread cache serves the class. */
  metadata: LargeExtentMetadata | undefined;
}

/**
 * Above tcache_max a freed value goes back to the arena and its extent is handed out again:
 * each free and reuse writes the extent's edata_t (state, heap links) and the radix-tree leaf
 * elements of its first and last page (jemalloc 5.3 src/emap.c emap_update_edata_state), in
 * metadata pages shared with the child. Edatas were allocated in fill order, leaf elements lie
 * in address order: one metadata page serves several neighbouring extents.
 */
export interface LargeExtentMetadata {
  edataPages: number;
  extentsPerEdataPage: number;
  rtreePages: number;
  /** Heap pages whose leaf elements share one metadata page (4096 / 8). */
  heapPagesPerRtreePage: number;
  /** Extents with their first or last page's element on a leaf page, one straddling in. */
  extentsTouchingRtreePage: number;
}

function largeExtentMetadata(keys: number, usableBytes: number, extentPages: number): LargeExtentMetadata | undefined {
  if (usableBytes <= TCACHE_MAX_BYTES) return undefined;
  const extentsPerEdataPage = PAGE_BYTES / EDATA_BYTES;
  const heapPagesPerRtreePage = PAGE_BYTES / RTREE_BYTES_PER_PAGE;
  return {
    edataPages: keys / extentsPerEdataPage,
    extentsPerEdataPage,
    rtreePages: (keys * extentPages) / heapPagesPerRtreePage,
    heapPagesPerRtreePage,
    extentsTouchingRtreePage: heapPagesPerRtreePage / extentPages + 1,
  };
}

export interface RedisLayout {
  keys: number;
  keyBytes: number;
  valueBytes: number;
  allocations: Allocation[];
  smallClasses: SmallClassLayout[];
  largeValue: LargeValueLayout | undefined;
  dictBuckets: number;
  dictBytes: number;
  /** Bytes jemalloc hands out per key: what used_memory grows by for each key added. */
  perKeyUsableBytes: number;
  /** Live bytes Redis counts (INFO used_memory). */
  usedMemoryBytes: number;
  /** Heap pages that hold keys, values and the bucket array. */
  heapPages: number;
  /** RSS of the same heap with no fragmentation holes. */
  compactRssBytes: number;
  /** Fraction of per-key slab regions that are live (1 = no holes). */
  liveFraction: number;
  /**
   * Pages a key's first write dirties beyond its allocations' written extents, each its own:
   * the element page of a listpack spanning pages (encodings.ts). Absent: none.
   */
  partialWritePagesPerKey?: number;
}

// A heap thinned by deletes keeps each key's regions with probability p, independently of its
// neighbours (keys are deleted at random): live counts per page are binomial, not evenly spaced,
// so written keys share pages less often than evenly spread holes would say. The pattern is drawn
// once over enough key slots to hold the binomial's shape, from a fixed seed so that the expected
// mode stays deterministic.
const THINNED_PERIOD_MIN_SLOTS = 4096;
const THINNED_PATTERN_SEED = 0x7417;

function smallClassLayout(kinds: Allocation[], keys: number, liveFraction: number): SmallClassLayout {
  const geometry = slabGeometry(kinds[0]!.usableBytes);
  const kindsPerKey = kinds.length;
  if (liveFraction >= 1) {
    const live = geometry.regionsPerSlab;
    const liveRegionStart = new Float64Array(live);
    for (let i = 0; i < live; i++) liveRegionStart[i] = i * geometry.regionBytes;
    const slabs = Math.ceil((keys * kindsPerKey) / live);
    return { geometry, kinds, periodSlabs: 1, liveRegionsPerPeriod: live, liveRegionStart, slabs, pages: slabs * geometry.pagesPerSlab };
  }
  const period = thinnedPeriod(geometry, kindsPerKey, liveFraction);
  // A fraction of a period at the end: the heap holds only as many key slots as the keys need.
  const slabs = Math.ceil(((keys * kindsPerKey) / period.liveRegionStart.length) * period.slabs);
  return {
    geometry,
    kinds,
    periodSlabs: period.slabs,
    liveRegionsPerPeriod: period.liveRegionStart.length,
    liveRegionStart: period.liveRegionStart,
    slabs,
    pages: slabs * geometry.pagesPerSlab,
  };
}

/** Key slots of `kindsPerKey` adjacent regions, each slot kept with probability `keep`. */
function thinnedPeriod(geometry: SlabGeometry, kindsPerKey: number, keep: number): { slabs: number; liveRegionStart: Float64Array } {
  // A period holds whole key slots: its slab count is a multiple of kindsPerKey / gcd(R, k).
  const unit = kindsPerKey / gcd(geometry.regionsPerSlab, kindsPerKey);
  const slotsPerUnit = (unit * geometry.regionsPerSlab) / kindsPerKey;
  const units = Math.max(1, Math.ceil(THINNED_PERIOD_MIN_SLOTS / (Math.max(keep, 1e-3) * slotsPerUnit)));
  const slots = units * slotsPerUnit;
  const rng = new Rng(THINNED_PATTERN_SEED);
  const starts: number[] = [];
  for (let slot = 0; slot < slots; slot++) {
    if (rng.next() >= keep) continue;
    for (let k = 0; k < kindsPerKey; k++) starts.push((slot * kindsPerKey + k) * geometry.regionBytes);
  }
  if (starts.length === 0) for (let k = 0; k < kindsPerKey; k++) starts.push(k * geometry.regionBytes);
  return { slabs: units * unit, liveRegionStart: Float64Array.from(starts) };
}


export interface LayoutOptions {
  keys: number;
  keyBytes: number;
  valueBytes: number;
  /** INFO mem_fragmentation_ratio to reproduce; undefined means a compact heap. */
  fragmentationRatio?: number | undefined;
  /** Transparent huge pages back the whole heap, so untouched pad pages count in RSS. */
  hugePages?: boolean;
  /** Each key's allocations; default a string key's (keyAllocations). */
  allocations?: Allocation[];
  /**
   * The server around the keys — startup memory, the main dictionary's buckets, the allocator's
   * own and the process's other pages — counted in; false for one segment of a dataset.
   * @defaultValue true
   */
  withServer?: boolean;
}

export function buildLayout(options: LayoutOptions): RedisLayout {
  const { keys, keyBytes, valueBytes } = options;
  const compact = layoutWithLiveFraction(options, 1);
  if (options.fragmentationRatio === undefined) return compact;
  const targetRss = compact.usedMemoryBytes * options.fragmentationRatio;
  const holeBytes = targetRss - compact.compactRssBytes;
  // Unexplained RSS is spread over the keys' memory in proportion to its size: with large
  // values most of it lies between extents, where it does not change which pages a key uses.
  const perKeyHeapBytes = (compact.heapPages - compact.dictBytes / PAGE_BYTES) * PAGE_BYTES;
  if (holeBytes <= 0 || compact.smallClasses.length === 0) return compact;
  const layout = layoutWithLiveFraction(options, perKeyHeapBytes / (perKeyHeapBytes + holeBytes));
  return { ...layout, keys, keyBytes, valueBytes };
}

function layoutWithLiveFraction(options: LayoutOptions, liveFraction: number): RedisLayout {
  const { keys, keyBytes, valueBytes } = options;
  const allocations = options.allocations ?? keyAllocations(keyBytes, valueBytes);
  const withServer = options.withServer ?? true;
  const byClass = new Map<number, Allocation[]>();
  let largeValue: LargeValueLayout | undefined;
  for (const allocation of allocations) {
    if (!isSmallClass(allocation.usableBytes)) {
      const mean = meanLargeExtentPages(allocation.usableBytes, allocation.requestBytes);
      const extentPages = allocation.usableBytes / PAGE_BYTES + 1;
      largeValue = {
        usableBytes: allocation.usableBytes,
        writtenBytes: allocation.requestBytes,
        extentPages,
        meanTouchedPages: mean.touched,
        meanWholeTouchedPages: mean.wholeTouched,
        metadata: largeExtentMetadata(keys, allocation.usableBytes, extentPages),
      };
      continue;
    }
    const list = byClass.get(allocation.usableBytes) ?? [];
    list.push(allocation);
    byClass.set(allocation.usableBytes, list);
  }
  const smallClasses = [...byClass.values()].map((kinds) => smallClassLayout(kinds, keys, liveFraction));
  const buckets = withServer ? dictBuckets(keys) : 0;
  const dictBytes = withServer ? sizeClass(buckets * 8) : 0;
  const perKeyUsableBytes = usableBytesPerKey(allocations);
  const usedMemoryBytes = keys * perKeyUsableBytes + dictBytes + (withServer ? REDIS_STARTUP_USED_MEMORY_BYTES : 0);

  const slabPages = smallClasses.reduce((sum, c) => sum + c.pages, 0);
  const largeResidentPages = largeValue
    ? keys * (options.hugePages ? largeValue.extentPages : largeValue.meanTouchedPages)
    : 0;
  const heapPages = slabPages + largeResidentPages + dictBytes / PAGE_BYTES;
  const slabCount = smallClasses.reduce((sum, c) => sum + c.slabs, 0) + (largeValue ? keys : 0) + (withServer ? 1 : 0);
  const mappedPages = slabPages + (largeValue ? keys * largeValue.extentPages : 0) + dictBytes / PAGE_BYTES;
  const compactRssBytes =
    heapPages * PAGE_BYTES +
    slabCount * EDATA_BYTES +
    mappedPages * RTREE_BYTES_PER_PAGE +
    (withServer ? ALLOCATOR_BASE_RSS_BYTES : 0) +
    (withServer ? EMPTY_SERVER_RSS_BYTES : 0);
  return {
    keys,
    keyBytes,
    valueBytes,
    allocations,
    smallClasses,
    largeValue,
    dictBuckets: buckets,
    dictBytes,
    perKeyUsableBytes,
    usedMemoryBytes,
    heapPages,
    compactRssBytes,
    liveFraction,
  };
}

/** Keys that fill `usedMemoryBytes` with this key and value size. */
export function keysForUsedMemory(usedMemoryBytes: number, keyBytes: number, valueBytes: number): number {
  const perKey = usableBytesPerKey(keyAllocations(keyBytes, valueBytes));
  let keys = Math.max(1, Math.floor((usedMemoryBytes - REDIS_STARTUP_USED_MEMORY_BYTES) / perKey));
  // The bucket array depends on the key count: settle the pair in a few rounds.
  for (let round = 0; round < 4; round++) {
    const dictBytes = sizeClass(dictBuckets(keys) * 8);
    keys = Math.max(1, Math.floor((usedMemoryBytes - REDIS_STARTUP_USED_MEMORY_BYTES - dictBytes) / perKey));
  }
  return keys;
}
