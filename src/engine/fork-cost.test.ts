import { fc, test as fcTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { ScenarioSchema, type ScenarioInput } from '../schemas/scenario.js';
import { platformPreset, WRITABLE_PTE_COST_RATIO } from './platforms.js';
import { resolveRun } from './resolve.js';
import { simulate } from './simulate.js';

const GiB = 2 ** 30;
const scenario = (input: ScenarioInput) => ScenarioSchema.parse(input);
const fork = (input: ScenarioInput) => simulate(scenario(input)).summary;
const base: ScenarioInput = {
  dataset: { usedMemoryBytes: '1GiB', valueBytes: 100 },
  workload: { writesPerSec: 10_000 },
  snapshot: { durationSec: 1 },
  kernel: { platform: 'reference-kvm' },
};
const withPrevious = (seconds: number | 'none', extra: Partial<ScenarioInput> = {}, previousSnapshotSec = 0) =>
  fork({ ...base, ...extra, snapshot: { durationSec: 1, secondsSincePreviousFork: seconds, previousSnapshotSec } });

describe('fork cost by page-table state', () => {
  it('costs the write-protected rate right after a fork and the writable rate for a first fork', () => {
    const reference = platformPreset('reference-kvm');
    const refork = withPrevious(0);
    const first = withPrevious('none');
    const gib = refork.usedMemoryRssBytes / GiB;
    expect(refork.forkWritableShare).toBe(0);
    expect(refork.latestForkUsec).toBeCloseTo(240 + reference.forkUsecPerGiB * gib, -1);
    expect(first.forkWritableShare).toBe(1);
    expect(first.latestForkUsec).toBeCloseTo(240 + reference.forkWritableUsecPerGiB * gib, -1);
    // The kernel tables' ratio: 44,046.5 vs 13,535.9 µs/GiB.
    expect((first.latestForkUsec - 240) / (refork.latestForkUsec - 240)).toBeCloseTo(3.254, 2);
  });

  it('counts as writable the pages that 1 s of uniform 100-byte overwrites touched', () => {
    // 10,000 distinct keys of 5.7 M; each write touches its dictEntry page, its value's page and
    // the page of the slot the value was freed from: about 2 pages per key at this density.
    const summary = withPrevious(1);
    const pages = (summary.forkWritableShare * summary.usedMemoryRssBytes) / 4096;
    expect(pages / 10_000).toBeGreaterThan(1.5);
    expect(pages / 10_000).toBeLessThan(3);
  });

  it('makes sequential writes leave fewer writable pages than scattered ones', () => {
    const seq = withPrevious(10, { workload: { writesPerSec: 10_000, keyDistribution: { type: 'sequential' } } });
    const uniform = withPrevious(10);
    expect(seq.forkWritableShare).toBeLessThan(uniform.forkWritableShare / 20);
    expect(seq.latestForkUsec).toBeLessThan(uniform.latestForkUsec);
  });

  fcTest.prop([fc.double({ min: 0, max: 3600, noNaN: true }), fc.double({ min: 0, max: 3600, noNaN: true })], { numRuns: 40 })(
    'grows with the time since the previous fork, between the re-fork and the first-fork cost',
    (a, b) => {
      const [lo, hi] = a <= b ? [a, b] : [b, a];
      const shorter = withPrevious(lo);
      const longer = withPrevious(hi);
      expect(longer.forkWritableShare).toBeGreaterThanOrEqual(shorter.forkWritableShare);
      expect(longer.latestForkUsec).toBeGreaterThanOrEqual(shorter.latestForkUsec);
      expect(shorter.latestForkUsec).toBeGreaterThanOrEqual(withPrevious(0).latestForkUsec);
      expect(longer.latestForkUsec).toBeLessThanOrEqual(withPrevious('none').latestForkUsec);
    },
  );

  it('makes a whole huge page writable with one write anywhere in its 2 MiB', () => {
    const thp: Partial<ScenarioInput> = { kernel: { platform: 'reference-kvm', thp: 'always' }, redis: { disableThp: false } };
    const summary = withPrevious(1, thp);
    // 10,000 keys scattered over ~500 huge pages leave hardly any unwritten.
    expect(summary.hugePagesActive).toBe(true);
    expect(summary.forkWritableShare).toBeGreaterThan(0.9);
    const run = resolveRun(scenario({ ...base, ...thp }));
    const reference = platformPreset('reference-kvm');
    const wp = 240 + (run.smallMappedBytes / GiB) * reference.forkUsecPerGiB + (run.hugeMappedBytes / GiB) * reference.forkUsecPerGiBHuge;
    expect(withPrevious(0, thp).latestForkUsec).toBeCloseTo(wp, -1);
    expect(summary.latestForkUsec).toBeGreaterThan(wp);
    // Still far below the same heap on 4 KiB pages.
    expect(summary.latestForkUsec).toBeLessThan(withPrevious(0).latestForkUsec / 5);
  });

  it('takes the scenario’s own costs: the writable one given, or scaled with the write-protected one', () => {
    const scaled = withPrevious('none', { kernel: { platform: 'reference-kvm', forkUsecPerGiB: 10_000 } });
    expect((scaled.latestForkUsec - 240) / (scaled.usedMemoryRssBytes / GiB)).toBeCloseTo(10_000 * WRITABLE_PTE_COST_RATIO, -1);
    const own = withPrevious('none', { kernel: { platform: 'reference-kvm', forkUsecPerGiB: 10_000, forkWritableUsecPerGiB: 17_000 } });
    expect((own.latestForkUsec - 240) / (own.usedMemoryRssBytes / GiB)).toBeCloseTo(17_000, -1);
    expect(own.scenario.kernel.forkWritableUsecPerGiB).toBe(17_000);
    // Huge pages: the given PMD cost, writable PMDs the preset's ratio more.
    const thp = { platform: 'reference-kvm', thp: 'always', forkUsecPerGiBHuge: 2_000 } as const;
    const reference = platformPreset('reference-kvm');
    const hugeRun = resolveRun(scenario({ ...base, kernel: thp, redis: { disableThp: false } }));
    const refork = withPrevious(0, { kernel: thp, redis: { disableThp: false } });
    const first = withPrevious('none', { kernel: thp, redis: { disableThp: false } });
    const small = (hugeRun.smallMappedBytes / GiB) * reference.forkUsecPerGiB;
    expect(refork.latestForkUsec).toBeCloseTo(240 + small + (hugeRun.hugeMappedBytes / GiB) * 2_000, -1);
    const hugeWritable = 2_000 * (reference.forkWritableUsecPerGiBHuge / reference.forkUsecPerGiBHuge);
    expect(first.latestForkUsec).toBeCloseTo(
      240 + (hugeRun.smallMappedBytes / GiB) * reference.forkWritableUsecPerGiB + (hugeRun.hugeMappedBytes / GiB) * hugeWritable,
      -1,
    );
  });
});
