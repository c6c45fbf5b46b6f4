// jemalloc 5.3 size classes and slab geometry for 4 KiB pages, as bundled with Redis 7.0.
// Small classes (8 B … 14 KiB) live in slabs of lcm(size, page) bytes; larger requests get
// their own page-run extent, padded by one page and shifted by a random cache-line offset
// (opt.cache_oblivious, on by default). Checked against `prefork.jemalloc` in the ground truth.

export const PAGE_BYTES = 4096;
export const HUGE_PAGE_BYTES = 2 * 1024 * 1024;
export const PAGES_PER_HUGE_PAGE = HUGE_PAGE_BYTES / PAGE_BYTES;
/** SC_SMALL_MAXCLASS with 4 KiB pages. */
export const SMALL_MAX_BYTES = 14336;
export const CACHE_LINE_BYTES = 64;
/**
 * opt.tcache_max (jemalloc 5.x default, lg_tcache_max 15): freed regions up to this usable size
 * wait in the thread's cache and come back at the same address; larger extents go back to the
 * arena (src/tcache.c tcache_boot, arena_dalloc_large).
 */
export const TCACHE_MAX_BYTES = 32 * 1024;

const SMALL_CLASSES: readonly number[] = buildSmallClasses();

function buildSmallClasses(): number[] {
  // Tiny 8, then 16-byte steps to 128, then four classes per doubling.
  const classes = [8];
  for (let size = 16; size <= 128; size += 16) classes.push(size);
  for (let base = 128; base < SMALL_MAX_BYTES; base *= 2) {
    const delta = base / 4;
    for (let i = 1; i <= 4; i++) {
      const size = base + delta * i;
      if (size > SMALL_MAX_BYTES) break;
      classes.push(size);
    }
  }
  return classes;
}

export function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** The usable size jemalloc hands out for a request of `bytes`. */
export function sizeClass(bytes: number): number {
  if (bytes <= 0) throw new RangeError(`allocation size must be positive, got ${bytes}`);
  if (bytes <= SMALL_MAX_BYTES) {
    for (const size of SMALL_CLASSES) if (size >= bytes) return size;
  }
  // Large classes: four per doubling above 16 KiB (2^k + i·2^(k-2)).
  let base = 16384;
  if (bytes <= base) return base;
  for (;;) {
    const delta = base / 4;
    for (let i = 1; i <= 4; i++) if (base + delta * i >= bytes) return base + delta * i;
    base *= 2;
  }
}

export function isSmallClass(size: number): boolean {
  return size <= SMALL_MAX_BYTES;
}

export interface SlabGeometry {
  regionBytes: number;
  pagesPerSlab: number;
  regionsPerSlab: number;
}

export function slabGeometry(regionBytes: number): SlabGeometry {
  const slabBytes = (regionBytes / gcd(regionBytes, PAGE_BYTES)) * PAGE_BYTES;
  return { regionBytes, pagesPerSlab: slabBytes / PAGE_BYTES, regionsPerSlab: slabBytes / regionBytes };
}

/** A large extent with its cache-oblivious pad: `usable` bytes starting `offset` bytes in. */
export interface LargeExtentPages {
  /** Pages written when `writtenBytes` are stored from the start of the usable area. */
  touched: number;
  /** Touched pages lying wholly inside the usable area: what madvise(DONTNEED) can release. */
  wholeTouched: number;
}

export function largeExtentPages(usableBytes: number, writtenBytes: number, offset: number): LargeExtentPages {
  const firstPage = Math.floor(offset / PAGE_BYTES);
  const lastTouched = Math.floor((offset + writtenBytes - 1) / PAGE_BYTES);
  const touched = lastTouched - firstPage + 1;
  // Redis aligns the pointer up to a page and releases whole pages of the usable size.
  const releaseStart = Math.ceil(offset / PAGE_BYTES);
  const releaseEnd = Math.floor((offset + usableBytes) / PAGE_BYTES); // exclusive
  const wholeTouched = Math.max(0, Math.min(releaseEnd, lastTouched + 1) - releaseStart);
  return { touched, wholeTouched };
}

/** Mean of largeExtentPages over the 64 cache-line offsets jemalloc picks from. */
export function meanLargeExtentPages(usableBytes: number, writtenBytes: number): LargeExtentPages {
  const offsets = PAGE_BYTES / CACHE_LINE_BYTES;
  let touched = 0;
  let wholeTouched = 0;
  for (let i = 0; i < offsets; i++) {
    const pages = largeExtentPages(usableBytes, writtenBytes, i * CACHE_LINE_BYTES);
    touched += pages.touched;
    wholeTouched += pages.wholeTouched;
  }
  return { touched: touched / offsets, wholeTouched: wholeTouched / offsets };
}
