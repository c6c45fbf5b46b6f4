// Analytic copy-on-write: the expected number of pages copied once a share q of the keys has
// been written. Keys sit on pages in random order with respect to how often they are written
// (hot keys are scattered), so a page holding written regions of n keys is still shared with
// probability (1 − q)^n. Cost is independent of the number of writes.

import type { CowTracker } from './cow-tracker.js';
import { PAGES_PER_HUGE_PAGE, PAGE_BYTES } from './jemalloc.js';
import type { LargeExtentMetadata, RedisLayout } from './layout.js';
import { classPagePattern, type ClassPagePattern } from './page-pattern.js';
import type { DistinctShareCurve } from './write-mix.js';

export interface CowConfig {
  /** Redis 7 child releases saved values that span whole pages. */
  dismiss: boolean;
  /** Pre-5.8 THP semantics: the first write to a shared huge page copies all of it. */
  copyHugePages: boolean;
}

interface ClassTerms {
  pattern: ClassPagePattern;
  /**
   * The pattern's pages by key count with the empty counts left out: a class of small regions
   * has a histogram hundreds of counts long with one or two in use, and the timeline reads the
   * curve several times a step.
   */
  sharedKeyCounts: Float64Array;
  sharedPages: Float64Array;
  /** Periods in the class (pages / pagesPerPeriod). */
  scale: number;
  pages: number;
  /** Keys with a written region per page: how many keys share one huge page. */
  writtenKeysPerPage: number;
}

/** ln(1 − q), −Infinity once every key is written. */
function logShareUnwritten(q: number): number {
  return q >= 1 ? -Infinity : Math.log1p(-q);
}

/**
 * 1 − (1 − q)^n, the chance that one of n keys is written, from ln(1 − q): one log per curve
 * read instead of a pow per term (pow is several times dearer), and exact for small q, where
 * 1 − pow(1 − q, n) cancels.
 */
function someWritten(logUnwritten: number, n: number): number {
  return -Math.expm1(n * logUnwritten);
}

/** A share of keys written small enough that the curves are still straight. */
const INITIAL_SHARE = 1e-9;

export class ExpectedCow {
  private readonly classes: ClassTerms[];
  /** Pages copied once per distinct key written and never released. */
  readonly exclusivePagesPerKey: number;
  /** Pages copied per distinct key written before its save, released after it. */
  readonly dismissiblePagesPerKey: number;
  readonly keys: number;
  private readonly largeExtentPages: number;
  private readonly largeMetadata: LargeExtentMetadata | undefined;
  readonly dictPages: number;
  // The timeline reads the curve at one share twice a step (the tracker's copies and faults,
  // then the fault cost at the same writes): the last value is kept.
  private lastShare = -1;
  private lastSequential = false;
  private lastPages = 0;

  constructor(
    layout: RedisLayout,
    private readonly config: CowConfig,
  ) {
    this.keys = layout.keys;
    this.dictPages = layout.dictBytes / PAGE_BYTES;
    this.classes = layout.smallClasses.map((cls) => {
      const pattern = classPagePattern(cls, config.dismiss);
      const hasWritten = cls.kinds.some((k) => k.writtenOnOverwrite);
      const used = [...pattern.sharedPagesByKeyCount.keys()].filter((n) => n > 0 && pattern.sharedPagesByKeyCount[n]! !== 0);
      return {
        pattern,
        sharedKeyCounts: Float64Array.from(used),
        sharedPages: Float64Array.from(used, (n) => pattern.sharedPagesByKeyCount[n]!),
        scale: cls.pages / pattern.pagesPerPeriod,
        pages: cls.pages,
        writtenKeysPerPage: hasWritten ? pattern.keysPerPeriod / pattern.pagesPerPeriod : 0,
      };
    });
    const smallDismissible = this.classes.reduce((s, c) => s + c.pattern.dismissiblePages * c.scale, 0) / this.keys;
    const large = layout.largeValue;
    this.largeExtentPages = large?.extentPages ?? 0;
    this.largeMetadata = large?.metadata;
    const largeDismissible = large && config.dismiss ? large.meanWholeTouchedPages : 0;
    this.exclusivePagesPerKey = (large ? large.meanTouchedPages - largeDismissible : 0) + (layout.partialWritePagesPerKey ?? 0);
    this.dismissiblePagesPerKey = smallDismissible + largeDismissible;
  }

  /**
   * Pages copied and never released after a share `q` of keys was written:
   * shared slab pages plus per-key exclusive pages. `sequential` means the written keys
   * are one contiguous run of memory rather than scattered.
   */
  persistentCopiedPages(q: number, sequential: boolean): number {
    if (q === this.lastShare && sequential === this.lastSequential) return this.lastPages;
    const pages = this.copiedPagesAt(q, sequential);
    this.lastShare = q;
    this.lastSequential = sequential;
    this.lastPages = pages;
    return pages;
  }

  private copiedPagesAt(q: number, sequential: boolean): number {
    if (q <= 0) return 0;
    const logUnwritten = logShareUnwritten(q);
    if (this.config.copyHugePages) return this.hugeCopiedPages(q, logUnwritten, sequential);
    let pages = 0;
    for (const c of this.classes) {
      const { sharedKeyCounts, sharedPages } = c;
      let perPeriod = 0;
      for (let i = 0; i < sharedPages.length; i++) {
        perPeriod += sharedPages[i]! * (sequential ? q : someWritten(logUnwritten, sharedKeyCounts[i]!));
      }
      pages += perPeriod * c.scale;
    }
    return pages + this.exclusivePagesPerKey * q * this.keys + this.largeMetadataPages(q, logUnwritten, sequential);
  }

  /** Edata and radix-tree pages written when the extents of a share q of the keys are reused. */
  private largeMetadataPages(q: number, logUnwritten: number, sequential: boolean): number {
    const m = this.largeMetadata;
    if (!m) return 0;
    const dirty = (extentsPerPage: number) => (sequential ? q : someWritten(logUnwritten, extentsPerPage));
    return m.edataPages * dirty(m.extentsPerEdataPage) + m.rtreePages * dirty(m.extentsTouchingRtreePage);
  }

  /**
   * The faults per share of keys written at the fork, where the curve is steepest: every term is
   * concave in q (a page copied once is not copied again). Read as the secant over a share too
   * small for any term to have bent: it falls short of the slope by (n − 1)·q/2 for pages of n
   * keys, under 1e-4 for the 2^17 keys a huge page can hold.
   */
  initialFaultsPerShare(sequential: boolean): number {
    return this.faults(INITIAL_SHARE, sequential) / INITIAL_SHARE;
  }

  /** Faults (copies plus write-protect reuses) after a share q of keys was written. */
  faults(q: number, sequential: boolean): number {
    const units = this.persistentCopiedPages(q, sequential) / (this.config.copyHugePages ? PAGES_PER_HUGE_PAGE : 1);
    return units + this.dismissiblePagesPerKey * q * this.keys;
  }

  private hugeCopiedPages(q: number, logUnwritten: number, sequential: boolean): number {
    // A huge page stays shared only while none of the keys on it has been written.
    let pages = 0;
    for (const c of this.classes) {
      const dirty = sequential ? q : someWritten(logUnwritten, c.writtenKeysPerPage * PAGES_PER_HUGE_PAGE);
      pages += c.pages * dirty;
    }
    if (this.largeExtentPages > 0) {
      const keysPerHuge = PAGES_PER_HUGE_PAGE / this.largeExtentPages;
      const dirty = sequential ? q : someWritten(logUnwritten, keysPerHuge);
      pages += this.keys * this.largeExtentPages * dirty;
    }
    return pages;
  }

  /** Faults that copy bucket-array pages after `ops` inserts and deletes. */
  dictFaults(ops: number): number {
    return this.dictCopiedPages(ops) / (this.config.copyHugePages ? PAGES_PER_HUGE_PAGE : 1);
  }

  /** Bucket-array pages copied after `ops` inserts and deletes, each at a random bucket. */
  dictCopiedPages(ops: number): number {
    if (ops <= 0) return 0;
    const units = this.config.copyHugePages ? Math.max(1, this.dictPages / PAGES_PER_HUGE_PAGE) : this.dictPages;
    const dirty = 1 - Math.exp(-ops / units);
    return this.dictPages * dirty;
  }
}

/**
 * The analytic model as the timeline steps it: the share of keys written follows the
 * distinct-key curve, and dismissible pages are held from a key's first write until its save.
 */
export function expectedCowTracker(model: ExpectedCow, distinctShare: DistinctShareCurve, sequential: boolean): CowTracker {
  const keys = model.keys;
  let writes = 0;
  let bucketWrites = 0;
  let share = 0;
  let dismissCopies = 0;
  let dismissHeld = 0;
  // Read several times a step: computed once per step.
  let persistent = 0;
  let faults = 0;
  return {
    advance(overwrites, buckets, savedFrom, savedTo) {
      writes += overwrites;
      bucketWrites += buckets;
      const previous = share;
      share = distinctShare(writes);
      // Keys first written in this step were unsaved with probability 1 − f (save order is
      // independent of write order); they stay held until the child saves them.
      const perKey = model.dismissiblePagesPerKey * keys;
      dismissCopies += perKey * (share - previous) * (1 - (savedFrom + savedTo) / 2);
      dismissHeld = perKey * share * (1 - savedTo);
      persistent = model.persistentCopiedPages(share, sequential) + model.dictCopiedPages(bucketWrites);
      faults = model.faults(share, sequential) + model.dictFaults(bucketWrites);
    },
    copiedPages: () => persistent + dismissCopies,
    heldPages: () => persistent + dismissHeld,
    faults: () => faults,
  };
}

/** Grid points of a tabulated model; quadratic spacing favours small written shares. */
const TABLE_POINTS = 2048;

/**
 * The same model with its scattered-write page curve tabulated once and interpolated: a
 * dataset of many segments asks for it several times per step and segment. The curve is
 * smooth and concave in q; the sequential one is linear and stays exact.
 */
export class TabulatedExpectedCow extends ExpectedCow {
  private readonly table: Float64Array;

  constructor(layout: RedisLayout, config: CowConfig) {
    super(layout, config);
    this.table = new Float64Array(TABLE_POINTS + 1);
    for (let i = 0; i <= TABLE_POINTS; i++) this.table[i] = super.persistentCopiedPages((i / TABLE_POINTS) ** 2, false);
  }

  override persistentCopiedPages(q: number, sequential: boolean): number {
    if (sequential || q <= 0 || q >= 1) return super.persistentCopiedPages(q, sequential);
    const x = Math.sqrt(q) * TABLE_POINTS;
    const i = Math.min(TABLE_POINTS - 1, Math.floor(x));
    const q0 = (i / TABLE_POINTS) ** 2;
    const q1 = ((i + 1) / TABLE_POINTS) ** 2;
    return this.table[i]! + ((this.table[i + 1]! - this.table[i]!) * (q - q0)) / (q1 - q0);
  }
}
