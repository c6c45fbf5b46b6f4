import { describe, expect, it } from 'vitest';
import { largeExtentPages, meanLargeExtentPages, sizeClass, slabGeometry } from './jemalloc.js';

describe('jemalloc 5.3 size classes', () => {
  it('rounds requests up to the classes Redis 7.0 reports in its bin stats', () => {
    expect([1, 8, 9, 13, 17, 24, 33, 104, 113, 1030, 1281, 4097, 14336].map(sizeClass)).toEqual([
      8, 8, 16, 16, 32, 32, 48, 112, 128, 1280, 1536, 5120, 14336,
    ]);
  });

  it('gives large requests four classes per doubling above 16 KiB', () => {
    expect([14337, 16390, 20481, 32769, 65537].map(sizeClass)).toEqual([16384, 20480, 24576, 40960, 81920]);
  });

  it('matches the slab geometry of the ground-truth bin stats', () => {
    // (size, regs_per_slab, pages_per_slab) read off prefork.jemalloc.bins of a measured run.
    const measured: Array<[number, number, number]> = [
      [8, 512, 1], [16, 256, 1], [32, 128, 1], [48, 256, 3], [80, 256, 5], [96, 128, 3], [112, 256, 7],
      [160, 128, 5], [1280, 16, 5], [1536, 8, 3], [1792, 16, 7], [3072, 4, 3], [7168, 4, 7], [8192, 1, 2],
    ];
    for (const [size, regs, pages] of measured) {
      expect(slabGeometry(size)).toEqual({ regionBytes: size, regionsPerSlab: regs, pagesPerSlab: pages });
    }
  });
});

describe('large extents with the cache-oblivious offset', () => {
  it('touches five pages for a 16 KiB value and leaves the head page to dismiss', () => {
    // 16384 + 5-byte sds header + NUL in a 20480-byte class, at a random cache line.
    expect(largeExtentPages(20480, 16390, 0)).toEqual({ touched: 5, wholeTouched: 5 });
    expect(largeExtentPages(20480, 16390, 64)).toEqual({ touched: 5, wholeTouched: 4 });
    expect(largeExtentPages(20480, 16390, 4032)).toEqual({ touched: 5, wholeTouched: 4 });
    const mean = meanLargeExtentPages(20480, 16390);
    expect(mean.touched).toBe(5);
    expect(mean.wholeTouched).toBeCloseTo(4 + 1 / 64, 10);
  });
});
