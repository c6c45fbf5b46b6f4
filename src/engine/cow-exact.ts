// Write-by-write copy-on-write: every write picks a key, finds the pages its allocations sit
// on and sets their bits in per-class page bitmaps (or huge-page bitmaps under pre-5.8 THP).
// Memory is O(pages / 8). Values that span whole pages are tracked per key, so that a Redis 7
// child's dismiss can release them once it has saved the key.

import type { CowConfig } from './cow-expected.js';
import type { CowTracker } from './cow-tracker.js';
import { CACHE_LINE_BYTES, PAGES_PER_HUGE_PAGE, PAGE_BYTES, largeExtentPages } from './jemalloc.js';
import { createRankSampler, type RankSampler } from './key-distribution.js';
import { writtenExtentBytes, type LargeExtentMetadata, type RedisLayout } from './layout.js';
import { regionPages } from './page-pattern.js';
import { Permutation } from './permutation.js';
import { Rng } from './rng.js';
import type { WriteMix } from './write-mix.js';

/** Save-order buckets: a dismissed key is released within 1/RELEASE_BUCKETS of its save. */
const RELEASE_BUCKETS = 1 << 16;

/** 32-bit mix of a key address (up to 2^53), for the per-extent cache-line offset. */
function mixAddress(address: number): number {
  const lo = address >>> 0;
  const hi = Math.floor(address / 4294967296) >>> 0;
  let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Sets a bit; true when it was clear. Bit indexes stay below 2^32. */
function testAndSet(words: Uint32Array, bit: number): boolean {
  const w = bit >>> 5;
  const mask = 1 << (bit & 31);
  const value = words[w]!;
  if ((value & mask) !== 0) return false;
  words[w] = value | mask;
  return true;
}

/** One written allocation kind of one size class: where a key's region of it lies. */
interface TouchEntry {
  kindsPerKey: number;
  position: number;
  live: number;
  /** Pages of one layout period (one slab for a compact heap). */
  pagesPerPeriod: number;
  /** Page (within the period) where the i-th live region starts, and where this kind's bytes end. */
  firstPage: Int32Array;
  lastPage: Int32Array;
  words: Uint32Array;
  classPages: number;
  hugeBase: number;
  /** Byte geometry for whole-page dismissible regions (values of 4 KiB and more). */
  wholePageValue: boolean;
  regionStart: Float64Array;
  regionBytes: number;
  writtenBytes: number;
}

export type KeyPlacement = 'scatter' | 'direct';

export class ExactCow {
  copiedPages = 0;
  faults = 0;
  releasedPages = 0;
  private readonly entries: TouchEntry[];
  private readonly keyWords: Uint32Array | undefined;
  private readonly hugeWords: Uint32Array | undefined;
  private readonly dictWords: Uint32Array;
  /** Edata pages, then radix-tree leaf pages, of arena-served large extents. */
  private readonly metadataWords: Uint32Array | undefined;
  private readonly dictPages: number;
  private readonly dictHugeBase: number;
  private readonly largeHugeBase: number;
  private readonly scatter: Permutation | undefined;
  private readonly saveOrder: Permutation;
  private readonly pendingRelease = new Float64Array(RELEASE_BUCKETS + 1);
  private nextReleaseBucket = 0;
  private readonly keys: number;

  constructor(
    private readonly layout: RedisLayout,
    private readonly config: CowConfig,
    private readonly rng: Rng,
    private readonly sampler: RankSampler,
    placement: KeyPlacement,
    seed: number,
  ) {
    this.keys = layout.keys;
    const huge = config.copyHugePages;
    let hugeCursor = 0;
    this.entries = [];
    for (const cls of layout.smallClasses) {
      const live = cls.liveRegionsPerPeriod;
      const words = new Uint32Array(huge ? 0 : Math.ceil(cls.pages / 32));
      const hugeBase = hugeCursor;
      hugeCursor += Math.ceil(cls.pages / PAGES_PER_HUGE_PAGE);
      cls.kinds.forEach((kind, position) => {
        if (!kind.writtenOnOverwrite) return;
        const firstPage = new Int32Array(live);
        const lastPage = new Int32Array(live);
        for (let i = 0; i < live; i++) {
          const start = cls.liveRegionStart[i]!;
          firstPage[i] = Math.floor(start / PAGE_BYTES);
          lastPage[i] = Math.floor((start + writtenExtentBytes(kind) - 1) / PAGE_BYTES);
        }
        this.entries.push({
          kindsPerKey: cls.kinds.length,
          position,
          live,
          pagesPerPeriod: cls.periodSlabs * cls.geometry.pagesPerSlab,
          firstPage,
          lastPage,
          words,
          classPages: cls.pages,
          hugeBase,
          wholePageValue: !huge && kind.dismissible && cls.geometry.regionBytes >= PAGE_BYTES,
          regionStart: cls.liveRegionStart,
          regionBytes: cls.geometry.regionBytes,
          writtenBytes: writtenExtentBytes(kind),
        });
      });
    }
    this.largeHugeBase = hugeCursor;
    if (layout.largeValue) hugeCursor += Math.ceil((layout.keys * layout.largeValue.extentPages) / PAGES_PER_HUGE_PAGE);
    this.dictPages = layout.dictBytes / PAGE_BYTES;
    this.dictHugeBase = hugeCursor;
    hugeCursor += Math.ceil(this.dictPages / PAGES_PER_HUGE_PAGE);
    this.hugeWords = huge ? new Uint32Array(Math.ceil(hugeCursor / 32)) : undefined;
    const perKey = !huge && (layout.largeValue !== undefined || this.entries.some((e) => e.wholePageValue));
    this.keyWords = perKey ? new Uint32Array(Math.ceil(layout.keys / 32)) : undefined;
    this.dictWords = new Uint32Array(huge ? 0 : Math.ceil(this.dictPages / 32));
    const metadata = layout.largeValue?.metadata;
    this.metadataWords = metadata && !huge ? new Uint32Array(Math.ceil((Math.ceil(metadata.edataPages) + Math.ceil(metadata.rtreePages) + 1) / 32)) : undefined;
    this.scatter = placement === 'scatter' ? new Permutation(layout.keys, seed ^ 0x5ca77e4) : undefined;
    this.saveOrder = new Permutation(layout.keys, seed ^ 0x5a7e0dd);
  }

  get heldPages(): number {
    return this.copiedPages - this.releasedPages;
  }

  /** `count` overwrites spread evenly while the child's saved share moves from f0 to f1. */
  applyOverwrites(count: number, savedFrom: number, savedTo: number): void {
    const { rng, sampler } = this;
    if (this.hugeWords || this.keyWords) {
      for (let j = 0; j < count; j++) {
        const address = this.addressOf(sampler.sample(rng));
        this.writeKeySlow(address, savedFrom + ((j + 0.5) / count) * (savedTo - savedFrom));
      }
      return;
    }
    // Hot path: small values on 4 KiB pages, one bit per page.
    const entries = this.entries;
    const n = entries.length;
    let copied = 0;
    for (let j = 0; j < count; j++) {
      const address = this.addressOf(sampler.sample(rng));
      for (let e = 0; e < n; e++) {
        const entry = entries[e]!;
        const region = address * entry.kindsPerKey + entry.position;
        const slab = Math.floor(region / entry.live);
        const i = region - slab * entry.live;
        const base = slab * entry.pagesPerPeriod;
        const last = base + entry.lastPage[i]!;
        for (let p = base + entry.firstPage[i]!; p <= last; p++) {
          if (testAndSet(entry.words, p)) copied++;
        }
      }
    }
    this.copiedPages += copied;
    this.faults += copied;
  }

  /** Where the key of a given popularity rank sits: scattered at random, or in rank order. */
  private addressOf(rank: number): number {
    return this.scatter ? this.scatter.apply(rank) : rank;
  }

  private writeKeySlow(address: number, savedFraction: number): void {
    for (const entry of this.entries) {
      const region = address * entry.kindsPerKey + entry.position;
      const slab = Math.floor(region / entry.live);
      const i = region - slab * entry.live;
      const base = slab * entry.pagesPerPeriod;
      if (entry.wholePageValue) {
        this.writeWholePageSmall(entry, address, base, i, savedFraction);
        continue;
      }
      const last = base + entry.lastPage[i]!;
      for (let p = base + entry.firstPage[i]!; p <= last; p++) this.markPage(entry, p);
    }
    const large = this.layout.largeValue;
    if (large) this.writeLargeValue(address, large.usableBytes, large.writtenBytes, large.extentPages, savedFraction);
  }

  private markPage(entry: TouchEntry, page: number): void {
    if (this.hugeWords) {
      this.markHuge(entry.hugeBase + Math.floor(page / PAGES_PER_HUGE_PAGE), entry.classPages, entry.hugeBase);
    } else if (testAndSet(entry.words, page)) {
      this.copiedPages++;
      this.faults++;
    }
  }

  /** Copies a whole huge page on its first write; the range's size bounds its last one. */
  private markHuge(huge: number, pagesInRange: number, rangeBase: number): void {
    if (!testAndSet(this.hugeWords!, huge)) return;
    const offset = (huge - rangeBase) * PAGES_PER_HUGE_PAGE;
    this.copiedPages += Math.min(PAGES_PER_HUGE_PAGE, pagesInRange - offset);
    this.faults++;
  }

  private writeWholePageSmall(entry: TouchEntry, address: number, slabBase: number, i: number, saved: number): void {
    const start = entry.regionStart[i]!;
    const pages = regionPages(start, entry.writtenBytes, entry.regionBytes);
    for (let p = pages.firstPage; p <= pages.lastPage; p++) {
      if (p < pages.wholeFirst || p > pages.wholeLast) this.markPage(entry, slabBase + p);
    }
    const whole = Math.max(0, pages.wholeLast - pages.wholeFirst + 1);
    if (whole > 0 && testAndSet(this.keyWords!, address)) this.copyDismissible(address, whole, saved);
  }

  private writeLargeValue(address: number, usable: number, written: number, extentPages: number, saved: number): void {
    const offset = (mixAddress(address) % (PAGE_BYTES / CACHE_LINE_BYTES)) * CACHE_LINE_BYTES;
    const pages = largeExtentPages(usable, written, offset);
    if (this.hugeWords) {
      const base = address * extentPages;
      const total = this.keys * extentPages;
      const firstHuge = Math.floor(base / PAGES_PER_HUGE_PAGE);
      const lastHuge = Math.floor((base + pages.touched - 1) / PAGES_PER_HUGE_PAGE);
      for (let h = firstHuge; h <= lastHuge; h++) this.markHuge(this.largeHugeBase + h, total, this.largeHugeBase);
      return;
    }
    if (!testAndSet(this.keyWords!, address)) return;
    const metadata = this.layout.largeValue!.metadata;
    if (metadata) this.writeExtentMetadata(metadata, address, extentPages);
    const dismissible = this.config.dismiss ? pages.wholeTouched : 0;
    this.copiedPages += pages.touched - dismissible;
    this.faults += pages.touched - dismissible;
    if (dismissible > 0) this.copyDismissible(address, dismissible, saved);
  }

  /** The reused extent's edata and the leaf elements of its first and last page (layout.ts). */
  private writeExtentMetadata(m: LargeExtentMetadata, address: number, extentPages: number): void {
    const words = this.metadataWords!;
    const rtreeBase = Math.ceil(m.edataPages);
    const firstLeaf = Math.floor((address * extentPages) / m.heapPagesPerRtreePage);
    const lastLeaf = Math.floor((address * extentPages + extentPages - 1) / m.heapPagesPerRtreePage);
    let copied = 0;
    if (testAndSet(words, Math.floor(address / m.extentsPerEdataPage))) copied++;
    for (let leaf = firstLeaf; leaf <= lastLeaf; leaf++) if (testAndSet(words, rtreeBase + leaf)) copied++;
    this.copiedPages += copied;
    this.faults += copied;
  }

  /** First write to a whole-page value: copied unless the child already saved and dropped it. */
  private copyDismissible(address: number, pages: number, savedFraction: number): void {
    this.faults += pages;
    if (!this.config.dismiss) {
      this.copiedPages += pages;
      return;
    }
    const position = this.saveOrder.apply(address) + 0.5;
    if (position < savedFraction * this.keys) return;
    this.copiedPages += pages;
    const bucket = Math.min(RELEASE_BUCKETS, Math.floor((position / this.keys) * RELEASE_BUCKETS));
    this.pendingRelease[bucket]! += pages;
  }

  /** The child has saved a share `savedFraction` of the keys: release what it dismissed. */
  releaseSaved(savedFraction: number): void {
    const upTo = savedFraction >= 1 ? RELEASE_BUCKETS + 1 : Math.floor(savedFraction * RELEASE_BUCKETS);
    while (this.nextReleaseBucket < upTo) {
      this.releasedPages += this.pendingRelease[this.nextReleaseBucket]!;
      this.nextReleaseBucket++;
    }
  }

  /** `count` inserts or deletes, each rewriting one random bucket of the hash table. */
  applyBucketWrites(count: number): void {
    for (let j = 0; j < count; j++) {
      const page = this.rng.below(this.dictPages);
      if (this.hugeWords) {
        this.markHuge(this.dictHugeBase + Math.floor(page / PAGES_PER_HUGE_PAGE), this.dictPages, this.dictHugeBase);
      } else if (testAndSet(this.dictWords, page)) {
        this.copiedPages++;
        this.faults++;
      }
    }
  }
}

/**
 * The write-by-write model as the timeline steps it, its keys drawn from the mix's
 * distribution: hot keys (Zipf, hot set) are scattered over memory, the others sit in rank order.
 */
export function exactCowTracker(layout: RedisLayout, config: CowConfig, mix: WriteMix, seed: number): CowTracker {
  const dist = mix.distribution;
  const placement = dist.type === 'zipf' || dist.type === 'hotset' ? 'scatter' : 'direct';
  const exact = new ExactCow(layout, config, new Rng(seed), createRankSampler(dist, mix.keys), placement, seed);
  let writesDone = 0;
  let writesDue = 0;
  let bucketsDone = 0;
  let bucketsDue = 0;
  return {
    advance(overwrites, buckets, savedFrom, savedTo) {
      // Fractional writes carry over so that the integer counts track the real-valued rate.
      writesDue += overwrites;
      const n = Math.floor(writesDue) - writesDone;
      exact.applyOverwrites(n, savedFrom, savedTo);
      writesDone += n;
      bucketsDue += buckets;
      const b = Math.floor(bucketsDue) - bucketsDone;
      exact.applyBucketWrites(b);
      bucketsDone += b;
      exact.releaseSaved(savedTo);
    },
    copiedPages: () => exact.copiedPages,
    heldPages: () => exact.heldPages,
    faults: () => exact.faults,
  };
}
