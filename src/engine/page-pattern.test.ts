import { describe, expect, it } from 'vitest';
import { buildLayout } from './layout.js';
import { classPagePattern, regionPages } from './page-pattern.js';

function patternFor(valueBytes: number, regionBytes: number, dismiss = false) {
  const layout = buildLayout({ keys: 100_000, keyBytes: 11, valueBytes });
  const cls = layout.smallClasses.find((c) => c.geometry.regionBytes === regionBytes)!;
  return classPagePattern(cls, dismiss);
}

describe('page patterns', () => {
  it('puts 128 written dictEntries on each 4 KiB page', () => {
    const p = patternFor(100, 32);
    expect(p.sharedPagesByKeyCount[128]).toBe(p.pagesPerPeriod);
  });

  it('counts only the robj of the robj/key-sds pairs sharing 16-byte slots', () => {
    const p = patternFor(100, 16);
    expect(p.sharedPagesByKeyCount[128]).toBe(p.pagesPerPeriod);
    expect(p.keysPerPeriod / p.pagesPerPeriod).toBe(128);
  });

  it('overlaps every page of a 1280-byte slab with four values', () => {
    const p = patternFor(1024, 1280);
    expect(p.pagesPerPeriod).toBe(5);
    expect(p.sharedPagesByKeyCount[4]).toBe(5);
  });

  it('finds whole pages inside 7 KiB values that a Redis 7 child can release', () => {
    // 7168-byte slots in 7-page slabs: each slot spans 2–3 pages and holds one page of its own.
    const shared = patternFor(7000, 7168, false);
    const dismiss = patternFor(7000, 7168, true);
    expect(shared.dismissiblePages).toBe(0);
    expect(dismiss.dismissiblePages).toBe(4);
    expect(dismiss.pagesPerPeriod - dismiss.dismissiblePages).toBe(3);
  });

  it('tells touched pages from pages wholly inside a region', () => {
    expect(regionPages(0, 4096, 4096)).toEqual({ firstPage: 0, lastPage: 0, wholeFirst: 0, wholeLast: 0 });
    expect(regionPages(3840, 1030, 1280)).toEqual({ firstPage: 0, lastPage: 1, wholeFirst: 1, wholeLast: 0 });
    expect(regionPages(7168, 7004, 7168)).toEqual({ firstPage: 1, lastPage: 3, wholeFirst: 2, wholeLast: 2 });
  });
});
