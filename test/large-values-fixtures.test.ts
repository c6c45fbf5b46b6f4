// Copy-on-write of large string values (test/fixtures/large-values.json, written by
// validation/large-value-probe.ts): the fixture agrees with itself, and its pages follow from
// where jemalloc 5.3 puts a rewritten value and what dismiss releases (validation/JEMALLOC.md).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ExpectedCow } from '../src/engine/cow-expected.js';
import { meanLargeExtentPages, PAGE_BYTES, sizeClass } from '../src/engine/jemalloc.js';
import { buildLayout } from '../src/engine/layout.js';
import { simulate } from '../src/engine/simulate.js';
import { defaultMaxInflight } from '../src/harness/pacing.js';
import { scenarioFromProbeSave } from '../src/measured-run/probe-save-run.js';
import type { LargeValueCase } from '../validation/large-value-probe.js';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/large-values.json', import.meta.url), 'utf8')) as {
  host: { redis_version: string };
  thp: string;
  sampleFields: string[];
  datasetBytes: number;
  cases: LargeValueCase[];
};
const KIB = 1024;
const SIZES_KIB = [16, 24, 32, 40, 48, 64, 128, 512, 1024];

/** sds header + NUL: sdshdr16 below 64 KiB, sdshdr32 from it (src/sds.c sdsReqType). */
const sdsOverhead = (valueBytes: number) => (valueBytes < 65536 ? 5 : 9) + 1;
/** Pages one value's allocation touches, averaged over jemalloc's cache-oblivious offsets. */
function valuePages(valueBytes: number) {
  const written = valueBytes + sdsOverhead(valueBytes);
  return meanLargeExtentPages(sizeClass(written), written);
}

/** Mean distinct keys hit by `writes` uniform draws from `keys` (occupancy, Feller vol. 1 §IV.2). */
const expectedDistinct = (keys: number, writes: number) => keys * (1 - (1 - 1 / keys) ** writes);

describe('large-value fixture: its own consistency', () => {
  it('covers every size with dismiss on and off, on a host without THP always', () => {
    expect(fixture.host.redis_version).toContain('v=7.0.15');
    expect(fixture.sampleFields).toEqual(['t_s', 'writes', 'distinctKeys', 'childPrivateDirtyPages']);
    expect(fixture.thp).not.toBe('always');
    for (const kib of SIZES_KIB)
      for (const mode of ['dismiss', 'nodismiss'] as const) expect(fixture.cases.filter((c) => c.valueKib === kib && c.mode === mode).length).toBeGreaterThanOrEqual(1);
  });

  describe.each(fixture.cases.map((c) => [`${c.valueKib} KiB ${c.mode} #${c.repeat}`, c] as const))('%s', (_name, c) => {
    it('ran in the mode it names, without huge pages, on a dataset of ~256 MiB', () => {
      // nodismiss sees THP [always] and opts out of nothing: thp_enabled = 1 skips dismissObject.
      expect(c.thpEnabledInRedis).toBe(c.mode === 'nodismiss');
      expect(c.parentAnonHugePagesBytes).toBe(0);
      expect(c.maxInflight).toBe(defaultMaxInflight(c.valueBytes));
      expect(c.keys * c.valueBytes).toBeCloseTo(fixture.datasetBytes, -5);
      // MEMORY USAGE counts the value's size class plus the key's small allocations.
      const usable = sizeClass(c.valueBytes + sdsOverhead(c.valueBytes));
      expect(c.memoryUsageBytes).toBeGreaterThanOrEqual(usable);
      expect(c.memoryUsageBytes).toBeLessThan(usable + 256);
    });

    it('counted writes and distinct keys as uniform draws do', () => {
      const [small, large] = c.held;
      expect(small!.writes).toBe(Math.max(1, Math.round(c.keys * 0.02)));
      expect(large!.writes).toBe(Math.round(c.keys * 0.5));
      for (const batch of c.held) {
        const mean = expectedDistinct(c.keys, batch.writes);
        expect(Math.abs(batch.distinctKeys - mean)).toBeLessThan(4 * Math.sqrt(mean) + 2);
      }
      for (const run of c.save) {
        expect(run.distinctKeysAtEnd).toBeLessThanOrEqual(run.distinctKeys);
        expect(run.distinctKeys).toBeLessThanOrEqual(run.writes);
        const at = run.samples.map((s) => s[0]);
        expect(at).toEqual([...at].sort((a, b) => a - b));
        expect(run.samples.at(-1)![2]).toBe(run.distinctKeysAtEnd);
        expect(run.endChildPrivateDirtyPages).toBe(run.samples.at(-1)![3]);
        expect(run.peakChildPrivateDirtyPages).toBe(Math.max(...run.samples.map((s) => s[3])));
        // The paced load offers share × N over the planned 5 s; the save runs 5–7 s.
        expect(run.writes).toBeGreaterThanOrEqual(Math.floor(run.writeShare * c.keys));
        expect(run.saveSeconds).toBeGreaterThanOrEqual(4);
        expect(run.saveSeconds).toBeLessThan(12);
      }
    });
  });
});

describe('large-value fixture: where a rewritten value lands', () => {
  describe.each(fixture.cases.map((c) => [`${c.valueKib} KiB ${c.mode} #${c.repeat}`, c] as const))('%s', (_name, c) => {
    const pages = valuePages(c.valueBytes);

    it('copies every page of the new value while the child holds the heap: freed extents are reused first', () => {
      // tcache LIFO (≤ 32 KiB classes) or first fit by (sn, addr) over old dirty extents: the new
      // value lands on pages the child shares, plus the key's dictEntry and robj pages. Only the
      // first writes find no freed extent: the query buffer in use and the one allocated before
      // the first SET freed anything (src/networking.c processMultibulkBuffer), at most 3.
      const [first, half] = c.held;
      expect(first!.pagesPerWrite).toBeGreaterThan(pages.touched * (1 - 3 / first!.writes));
      expect(first!.pagesPerWrite).toBeLessThan(pages.touched + 3);
      // Per distinct key, half of N written: one value's pages, whatever the size class.
      expect(half!.pagesPerDistinctKey).toBeGreaterThan(pages.touched * (1 - 3 / half!.distinctKeys));
      expect(half!.pagesPerDistinctKey).toBeLessThan(pages.touched + 1);
    });

    it('keeps every copy to the end without dismiss, and only the edge and entry pages with it', () => {
      const run = c.save.at(-1)!;
      // What the child wrote itself (stack, rio buffer): its first sample.
      const own = run.samples[0]![3];
      const keptPerKey = (run.endChildPrivateDirtyPages - own) / run.distinctKeysAtEnd;
      if (c.mode === 'nodismiss') {
        expect(keptPerKey).toBeGreaterThan(pages.touched * (1 - 3 / run.distinctKeysAtEnd));
        expect(keptPerKey).toBeLessThan(pages.touched + 1);
        expect(run.endChildPrivateDirtyPages).toBe(run.peakChildPrivateDirtyPages);
      } else {
        // dismiss releases the whole pages inside each saved allocation (src/zmalloc.c
        // zmadvise_dontneed); the partial edge pages and the key's small allocations stay.
        expect(keptPerKey).toBeLessThan(pages.touched - pages.wholeTouched + 3);
        expect(run.endChildPrivateDirtyPages).toBeLessThan(run.peakChildPrivateDirtyPages * 0.6);
      }
    });
  });

  it('gives the same held copies with dismiss on and off: the held child saves, so dismisses, nothing', () => {
    for (const kib of SIZES_KIB) {
      const copied = (mode: string) => fixture.cases.filter((c) => c.valueKib === kib && c.mode === mode).map((c) => c.held[1]!.copiedPages);
      const on = Math.max(...copied('dismiss'));
      const off = Math.max(...copied('nodismiss'));
      expect(Math.abs(on - off) / off).toBeLessThan(0.05);
    }
  });

  it('records pages of 4 KiB', () => {
    expect(PAGE_BYTES).toBe(4 * KIB);
  });
});

// The engine on the same cases. Held: the pages copied per distinct key written, including the
// allocator metadata an arena-served extent's reuse writes (src/engine/layout.ts
// LargeExtentMetadata) — the step at the 40 KiB class, where tcache_max ends. Save: each
// finishing save fed its measured write progress (src/measured-run/probe-save-run.ts). Values of
// 512 KiB and 1 MiB (410 and 205 keys) and the 2% batch of 128 KiB (41 writes) are left out:
// their first writes get fresh extents because the probe purged the dirty ones before the fork
// (JEMALLOC.md §6), worth 1–7% at so few writes; the engine assumes the steady state.
describe('the engine on the large-value cases', () => {
  const firstReps = fixture.cases.filter((c) => c.repeat === 0 && c.valueBytes <= 128 * KIB);
  describe.each(firstReps.map((c) => [`${c.valueKib} KiB ${c.mode}`, c] as const))('%s', (_name, c) => {
    const layout = buildLayout({ keys: c.keys, keyBytes: String(c.keys - 1).length + 4, valueBytes: c.valueBytes });
    const model = new ExpectedCow(layout, { dismiss: c.mode === 'dismiss', copyHugePages: false });
    const perDistinctKey = (distinct: number) => model.faults(distinct / c.keys, false) / distinct;

    it('held: pages per distinct key within 2% at 2% and at 50% of the keys', () => {
      for (const batch of c.valueBytes < 128 * KIB ? c.held : c.held.slice(1)) {
        expect(Math.abs(perDistinctKey(batch.distinctKeys) / batch.pagesPerDistinctKey - 1)).toBeLessThan(0.02);
      }
    });

    it('the 50% save: peak CoW within 5%', () => {
      const run = c.save.find((s) => s.writeShare === 0.5)!;
      const result = simulate(scenarioFromProbeSave(c, run));
      const measuredPeak = run.peakChildPrivateDirtyPages * PAGE_BYTES;
      expect(Math.abs(result.summary.cowPeakBytes / measuredPeak - 1)).toBeLessThan(0.05);
    });
  });

  it('charges the metadata only above tcache_max', () => {
    const metadataOf = (valueBytes: number) => buildLayout({ keys: 1000, keyBytes: 8, valueBytes }).largeValue!.metadata;
    expect(metadataOf(24 * KIB)).toBeUndefined();
    const m = metadataOf(32 * KIB)!;
    // 40 KiB class + pad = 11 pages: 32 edatas of 128 B per page, 512 leaf elements per page.
    expect(m.extentsPerEdataPage).toBe(32);
    expect(m.heapPagesPerRtreePage).toBe(512);
    expect(m.rtreePages).toBeCloseTo((1000 * 11) / 512, 10);
    expect(m.extentsTouchingRtreePage).toBeCloseTo(512 / 11 + 1, 10);
  });
});
