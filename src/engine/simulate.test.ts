import { fc, test as fcTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { ScenarioSchema, type ScenarioInput } from '../schemas/scenario.js';
import { seriesColumns } from '../schemas/result.js';
import { CHILD_BASELINE_PRIVATE_BYTES } from './resolve.js';
import { simulate } from './simulate.js';

const scenario = (input: ScenarioInput) => ScenarioSchema.parse(input);
const PAGE = 4096;

describe('simulate: copy-on-write', () => {
  it('copies nothing beyond the child bookkeeping when nothing is written', () => {
    const result = simulate(scenario({ dataset: { usedMemoryBytes: '1GiB', valueBytes: 100 }, snapshot: { durationSec: 10 } }));
    expect(result.summary.copiedPages).toBe(0);
    expect(result.summary.cowPeakBytes).toBe(CHILD_BASELINE_PRIVATE_BYTES);
    expect(result.summary.cowPeakPercentOfUsedMemory).toBeLessThan(1);
  });

  it('copies the pages the 1 KiB layout predicts: 128 keys per small-slot page, 4 values per sds page', () => {
    // N keys, W uniform overwrites: a key is written with probability q = 1 − e^(−W/N); a page
    // stays shared only if none of the n keys whose written regions lie on it was written.
    const keys = 791_446;
    const writes = 337_952;
    const result = simulate(
      scenario({
        dataset: { keys, valueBytes: 1024, keyBytes: 10 },
        workload: { writesPerSec: writes / 30, serviceUsecPerWrite: 0.1 },
        kernel: { cowFaultUsec: 0.001 },
        snapshot: { durationSec: 30 },
        redis: { version: '6.2' },
      }),
    );
    const q = 1 - Math.exp(-writes / keys);
    const dictEntryPages = Math.ceil(keys / 128);
    const robjPages = Math.ceil((2 * keys) / 256); // robj and key sds share the 16-byte slabs
    const sdsPages = Math.ceil(keys / 16) * 5; // 1280-byte slots: every page overlaps 4 of them
    const expected =
      dictEntryPages * (1 - (1 - q) ** 128) + robjPages * (1 - (1 - q) ** 128) + sdsPages * (1 - (1 - q) ** 4);
    expect(Math.abs(result.summary.copiedPages - expected) / expected).toBeLessThan(0.002);
    // The measured run with these numbers (12-u10k-1g-1k-30s) peaked at 838.3 MiB.
    expect(result.summary.cowPeakBytes / 2 ** 20).toBeGreaterThan(838.3 * 0.97);
    expect(result.summary.cowPeakBytes / 2 ** 20).toBeLessThan(838.3 * 1.03);
  });

  it('passes Redis own test: 16 writes of 512-byte values copy at least 8 KiB', () => {
    const result = simulate(
      scenario({
        dataset: { keys: 1000, valueBytes: 512 },
        workload: { writesPerSec: 16 },
        snapshot: { durationSec: 1 },
        simulation: { mode: 'exact' },
      }),
    );
    expect(result.summary.writes).toBe(16);
    expect(result.summary.copiedPages * PAGE).toBeGreaterThanOrEqual(8192);
  });

  it('releases dismissed 16 KiB values on Redis 7 but keeps one head page per written key', () => {
    const base: ScenarioInput = {
      dataset: { keys: 52_174, valueBytes: 16_384, keyBytes: 9 },
      workload: { writesPerSec: 1000 },
      snapshot: { durationSec: 26.5 },
      kernel: { platform: 'reference-kvm' },
    };
    const v7 = simulate(scenario(base)).summary;
    const v62 = simulate(scenario({ ...base, redis: { version: '6.2' } })).summary;
    expect(v7.dismissActive).toBe(true);
    expect(v62.dismissActive).toBe(false);
    expect(v7.cowPeakBytes).toBeLessThan(v62.cowPeakBytes / 2);
    // 13-u1k-1g-16k-never: 149.5 MiB peak, 83.9 MiB final (one 4 KiB page per written key).
    expect(v7.cowPeakBytes / 2 ** 20).toBeGreaterThan(149.5 * 0.9);
    expect(v7.cowPeakBytes / 2 ** 20).toBeLessThan(149.5 * 1.1);
    const headPages = v7.distinctKeysWritten;
    expect(v7.finalCowBytes / PAGE).toBeGreaterThan(headPages);
    expect(v7.finalCowBytes / PAGE).toBeLessThan(headPages * 1.1);
    expect(v62.rdbLastCowSize).toBe(v62.finalCowBytes);
    expect(v7.rdbLastCowSize).toBe(v7.cowPeakBytes);
  });

  it('copies whole huge pages on pre-5.8 kernels, racing to nearly all of RSS', () => {
    const base: ScenarioInput = {
      dataset: { usedMemoryBytes: '1GiB', valueBytes: 100 },
      workload: { writesPerSec: 2000 },
      snapshot: { durationSec: 10 },
      kernel: { thp: 'always', thpCow: 'copy-2m' },
      redis: { disableThp: false },
    };
    const old = simulate(scenario(base)).summary;
    expect(old.copyUnitBytes).toBe(2 * 2 ** 20);
    expect(old.cowPeakBytes / old.usedMemoryRssBytes).toBeGreaterThan(0.9);
    const modern = simulate(scenario({ ...base, kernel: { thp: 'always', thpCow: 'split-4k' } })).summary;
    expect(modern.cowPeakBytes).toBeLessThan(old.cowPeakBytes / 2);
    // Redis's default disable-thp keeps it on 4 KiB pages whatever the host says.
    const optedOut = simulate(scenario({ ...base, redis: { disableThp: true } })).summary;
    expect(optedOut.hugePagesActive).toBe(false);
    expect(optedOut.copyUnitBytes).toBe(PAGE);
  });
});

describe('simulate: fork time and the main thread', () => {
  it('forks in the preset time per GiB of page-table-mapped memory, far faster on huge pages', () => {
    const small = simulate(scenario({ dataset: { usedMemoryBytes: '8GiB', valueBytes: 1000 }, kernel: { platform: 'kvm' } })).summary;
    const rssGiB = small.usedMemoryRssBytes / 2 ** 30;
    expect(small.latestForkUsec).toBeCloseTo(240 + (8200 / 0.36) * rssGiB, -1);
    expect(small.forkRateGrade).toBe('good');
    const huge = simulate(
      scenario({ dataset: { usedMemoryBytes: '8GiB', valueBytes: 1000 }, kernel: { platform: 'kvm', thp: 'always' }, redis: { disableThp: false } }),
    ).summary;
    expect(huge.latestForkUsec).toBeLessThan(small.latestForkUsec / 10);
    const xen = simulate(scenario({ dataset: { usedMemoryBytes: '8GiB', valueBytes: 1000 }, kernel: { platform: 'xen-pv' } })).summary;
    expect(xen.forkRateGrade).toBe('terrible');
  });

  it('serves fewer writes than offered once copy-on-write faults fill the main thread', () => {
    const result = simulate(
      scenario({
        dataset: { usedMemoryBytes: '1GiB', valueBytes: 100 },
        workload: { writesPerSec: 50_000 },
        snapshot: { durationSec: 10 },
        kernel: { platform: 'reference-kvm' },
      }),
    ).summary;
    // Early on each write copies ~3 fresh pages at 61 µs each: ~5,000 writes/s at most.
    expect(result.writesPerSecAchieved).toBeLessThan(25_000);
    expect(result.writesOffered).toBe(500_000);
    expect(result.faultStallMsTotal).toBeGreaterThan(5000);
  });

  it('integrates a write schedule exactly, even steps shorter than the series step', () => {
    const result = simulate(
      scenario({
        dataset: { keys: 100_000, valueBytes: 100 },
        workload: { writesPerSec: 100, writeSchedule: [{ fromSec: 1, writesPerSec: 1000 }, { fromSec: 1.25, writesPerSec: 0 }] },
        snapshot: { durationSec: 10 },
        simulation: { sampleIntervalSec: 2 },
      }),
    ).summary;
    // 100/s for the first second, 1000/s for a quarter second, then nothing.
    expect(result.writesOffered).toBe(350);
    expect(result.writes).toBe(350);
  });
});

describe('simulate: the result', () => {
  it('gives the OOM verdict against the host limit and the 25% rule beside it', () => {
    const result = simulate(
      scenario({
        dataset: { usedMemoryBytes: '1GiB', valueBytes: 100 },
        workload: { writesPerSec: 5000 },
        snapshot: { durationSec: 30 },
        host: { memoryBytes: '1.5GiB' },
      }),
    ).summary;
    // 150,000 uniform writes over 5.2 M keys copy ~720 MiB (ground truth 03: 662 MiB after 124 k
    // writes): parent ~1.02 GiB + CoW passes 1.5 GiB, and the 25% reserve (384 MiB) falls short.
    expect(result.oom.limitBytes).toBe(1.5 * 2 ** 30);
    expect(result.peakHostMemoryBytes).toBeGreaterThan(1.55 * 2 ** 30);
    expect(result.oom.atRisk).toBe(true);
    expect(result.oom.headroomBytes).toBeLessThan(-0.05 * 2 ** 30);
    // The limit holds the peak, the child's page tables (a 4 KiB table per 2 MiB mapped, ~RSS / 512,
    // plus ~68 KiB for the rest of the process)
    // and a VM's reserve: 256 MiB and min_free_kbytes = floor(√(16 × 1,572,864 KiB)) = 5,016 KiB.
    expect(result.oom.reservedBytes).toBe(256 * 2 ** 20 + 5016 * 1024);
    expect(result.oom.components.forkPageTableBytes / (result.usedMemoryRssBytes / 512)).toBeGreaterThan(1);
    expect(result.oom.components.forkPageTableBytes / (result.usedMemoryRssBytes / 512)).toBeLessThan(1.05);
    expect(result.oom.peakBytes).toBeCloseTo(result.peakHostMemoryBytes + result.oom.components.forkPageTableBytes + result.oom.reservedBytes, -1);
    expect(result.oom.headroomBytes).toBe(1.5 * 2 ** 30 - result.oom.peakBytes);
    expect(result.oom.firstExceededAtSec).toBeGreaterThan(0);
    expect(result.oom.firstExceededAtSec).toBeLessThan(30);
    expect(result.cloudReserve.reserveBytes).toBe(0.375 * 2 ** 30);
    expect(result.cowPeakBytes).toBeGreaterThan(0.5 * 2 ** 30);
    expect(result.cloudReserve.coversPeakCow).toBe(false);
    // A host with room for it.
    const roomy = simulate(
      scenario({ dataset: { usedMemoryBytes: '1GiB', valueBytes: 100 }, workload: { writesPerSec: 5000 }, snapshot: { durationSec: 30 }, host: { memoryBytes: '4GiB' } }),
    ).summary;
    expect(roomy.oom.atRisk).toBe(false);
    expect(roomy.cloudReserve.coversPeakCow).toBe(true);
  });

  it('returns equal-length columns within maxPoints, falling back to the parent after exit', () => {
    const result = simulate(
      scenario({
        dataset: { usedMemoryBytes: '256MiB', valueBytes: 100 },
        workload: { writesPerSec: 1000, newKeyFraction: 0.1 },
        snapshot: { durationSec: 100 },
        simulation: { maxPoints: 50 },
      }),
    );
    const lengths = seriesColumns(result.series).map((c) => result.series[c]!.length);
    expect(new Set(lengths).size).toBe(1);
    expect(lengths[0]).toBeLessThanOrEqual(50);
    const last = lengths[0]! - 1;
    expect(result.series.tSec[last]).toBeGreaterThan(100);
    expect(result.series.cowBytes[last]).toBe(0);
    expect(result.series.hostMemoryBytes[last]).toBe(result.series.parentRssBytes[last]);
    // Inserts grow the parent without copying.
    expect(result.series.parentRssBytes[last]).toBeGreaterThan(result.series.parentRssBytes[0]!);
  });

  it('gives the same exit figures at two points as at two thousand', () => {
    const input = (maxPoints: number): ScenarioInput => ({
      dataset: { usedMemoryBytes: '256MiB', valueBytes: 100 },
      workload: { writesPerSec: 5000 },
      snapshot: { durationSec: 20 },
      simulation: { maxPoints },
    });
    const coarse = simulate(scenario(input(2)));
    const fine = simulate(scenario(input(2000)));
    expect(coarse.series.tSec).toEqual([0, 20]);
    expect(coarse.summary.writes).toBe(fine.summary.writes);
    expect(coarse.summary.writes).toBe(100_000);
    expect(Math.abs(coarse.summary.finalCowBytes / fine.summary.finalCowBytes - 1)).toBeLessThan(0.001);
  });

  it('resolves every default, and the resolved scenario reproduces the result', () => {
    const first = simulate(
      scenario({ dataset: { usedMemoryBytes: '512MiB', valueBytes: 300 }, workload: { writesPerSec: 3000 }, snapshot: { throughputBytesPerSec: '100MB' } }),
    );
    const resolved = first.summary.scenario;
    expect(resolved.dataset.keys).toBe(first.summary.keys);
    expect(resolved.snapshot.durationSec).toBeCloseTo(first.summary.usedMemoryBytes / 100e6, 6);
    expect(resolved.allocator.fragmentationRatio).toBeGreaterThan(1);
    expect(resolved.kernel.forkUsecPerGiB).toBeCloseTo(8200 / 0.36, 0);
    const again = simulate(ScenarioSchema.parse(resolved));
    expect(again.summary.cowPeakBytes).toBe(first.summary.cowPeakBytes);
    expect(again.summary.latestForkUsec).toBe(first.summary.latestForkUsec);
  });

  it('is deterministic for a seed in exact mode', () => {
    const input: ScenarioInput = {
      dataset: { usedMemoryBytes: '64MiB', valueBytes: 100 },
      workload: { writesPerSec: 20_000, keyDistribution: { type: 'zipf', exponent: 1.1 } },
      snapshot: { durationSec: 5 },
      simulation: { mode: 'exact', seed: 42 },
    };
    const a = JSON.stringify(simulate(scenario(input)));
    const b = JSON.stringify(simulate(scenario(input)));
    const c = JSON.stringify(simulate(scenario({ ...input, simulation: { mode: 'exact', seed: 43 } })));
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });
});

const scenarioArb = fc.record({
  keys: fc.integer({ min: 1_000, max: 300_000 }),
  valueBytes: fc.oneof(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 300, max: 40_000 })),
  writesPerSec: fc.integer({ min: 0, max: 50_000 }),
  durationSec: fc.double({ min: 0.5, max: 20, noNaN: true }),
  dist: fc.oneof(
    fc.constant({ type: 'uniform' as const }),
    fc.constant({ type: 'sequential' as const }),
    fc.double({ min: 0.3, max: 2, noNaN: true }).map((exponent) => ({ type: 'zipf' as const, exponent })),
    fc.constant({ type: 'hotset' as const, hotKeyFraction: 0.05, hotWriteFraction: 0.8 }),
  ),
  fragmentationRatio: fc.oneof(fc.constant(undefined), fc.double({ min: 1, max: 3, noNaN: true })),
  thp: fc.constantFrom('never' as const, 'always' as const),
  version: fc.constantFrom('6.2' as const, '7.0' as const),
});

type Arb = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

function fromArb(a: Arb, overrides: Partial<ScenarioInput> = {}): ScenarioInput {
  return {
    dataset: { keys: a.keys, valueBytes: a.valueBytes },
    allocator: { fragmentationRatio: a.fragmentationRatio },
    workload: { writesPerSec: a.writesPerSec, keyDistribution: a.dist },
    snapshot: { durationSec: a.durationSec },
    kernel: { thp: a.thp },
    redis: { version: a.version, disableThp: a.thp !== 'always' },
    simulation: { maxPoints: 200 },
    ...overrides,
  };
}

describe('invariants (MODEL.md §8)', () => {
  fcTest.prop([scenarioArb], { numRuns: 40 })('CoW stays within RSS and host memory within twice RSS', (a) => {
    const { summary, series } = simulate(scenario(fromArb(a)));
    expect(summary.cowPeakBytes).toBeLessThanOrEqual(summary.usedMemoryRssBytes + CHILD_BASELINE_PRIVATE_BYTES);
    for (let i = 0; i < series.tSec.length; i++) {
      expect(series.hostMemoryBytes[i]).toBeLessThanOrEqual(2 * series.parentRssBytes[i]! + CHILD_BASELINE_PRIVATE_BYTES + 1);
    }
  });

  fcTest.prop([scenarioArb], { numRuns: 30 })('more writes never copy less without dismiss', (a) => {
    const base = fromArb({ ...a, version: '6.2' });
    const more = fromArb({ ...a, version: '6.2', writesPerSec: a.writesPerSec * 2 + 10 });
    // The Zipf distinct-key curve is tabulated over each run's own write range: allow its
    // interpolation error (well under 1e-5 of the copies), nothing more.
    const baseCopies = simulate(scenario(base)).summary.copiedPages;
    expect(simulate(scenario(more)).summary.copiedPages).toBeGreaterThanOrEqual(Math.floor(baseCopies * (1 - 1e-5)));
  });

  fcTest.prop([scenarioArb], { numRuns: 30 })('2 MiB copies never copy less than 4 KiB copies', (a) => {
    const thp = { thp: 'always' as const };
    const split = simulate(scenario(fromArb({ ...a, thp: 'always' }, { kernel: { ...thp, thpCow: 'split-4k' }, redis: { disableThp: false } })));
    const whole = simulate(scenario(fromArb({ ...a, thp: 'always' }, { kernel: { ...thp, thpCow: 'copy-2m' }, redis: { disableThp: false } })));
    expect(whole.summary.copiedPages).toBeGreaterThanOrEqual(split.summary.copiedPages);
  });

  fcTest.prop([scenarioArb, fc.integer({ min: 0, max: 2 ** 31 })], { numRuns: 25 })(
    'exact (Monte Carlo) and expected (analytic) peaks agree within 3% plus sampling error',
    (a, seed) => {
      const input = fromArb(a);
      const expected = simulate(scenario({ ...input, simulation: { mode: 'expected', maxPoints: 200 } })).summary;
      const exact = simulate(scenario({ ...input, simulation: { mode: 'exact', seed, maxPoints: 200 } })).summary;
      const copied = expected.cowPeakBytes / PAGE;
      // Copies are sums of page indicators: allow 3% plus four standard deviations.
      const tolerance = 0.03 * copied + 4 * Math.sqrt(copied) + 4;
      expect(Math.abs(exact.cowPeakBytes - expected.cowPeakBytes) / PAGE).toBeLessThanOrEqual(tolerance);
    },
  );
});

describe('simulate: the whole fork event', () => {
  const dataset = { keys: 200_000, valueBytes: 1024, keyBytes: 10 };
  const sync = (extra: Partial<ScenarioInput> = {}): ScenarioInput => ({
    dataset,
    workload: { writesPerSec: 4000 },
    snapshot: { durationSec: 5, trigger: 'full-sync' },
    ...extra,
    replication: { diskless: false, linkBytesPerSec: '1GB', replicas: 3, ...extra.replication },
  });

  it('holds one shared replication buffer on 7.0 and a copy per replica on 6.2, inside the parent', () => {
    const v7 = simulate(scenario(sync())).summary;
    const v62 = simulate(scenario(sync({ redis: { version: '6.2' } }))).summary;
    expect(v7.syncOutcome).toBe('completed');
    expect(v7.fullSyncs).toBe(v62.fullSyncs);
    // 6.2: the 1 MiB backlog plus three replicas' blocks; 7.0: the blocks once.
    const perReplica62 = (v62.memTotalReplicationBuffersPeakBytes - 2 ** 20) / 3;
    expect(perReplica62 / v7.memTotalReplicationBuffersPeakBytes).toBeGreaterThan(0.9);
    expect(perReplica62 / v7.memTotalReplicationBuffersPeakBytes).toBeLessThan(1.1);
    const { series } = simulate(scenario(sync()));
    for (let i = 0; i < series.tSec.length; i++) {
      expect(series.parentRssBytes[i]! - series.replicationBufferBytes[i]!).toBe(series.parentRssBytes[0]! - series.replicationBufferBytes[0]!);
    }
    expect(Math.max(...series.replicationBufferBytes)).toBeLessThanOrEqual(v7.memTotalReplicationBuffersPeakBytes);
  });

  it('starts every child of a disconnect loop from nothing copied, each with its own fork', () => {
    const result = simulate(scenario(sync({ redis: { saveConfigured: false }, replication: { replicas: 1, outputBufferLimit: { hardBytes: '8mb', softBytes: 0, softSec: 0 } } })));
    const { summary, series } = result;
    expect(summary.forks).toBe(5);
    expect(summary.children.every((c) => c.killed)).toBe(true);
    // Each killed child copies the same ~2 s of writes: far less than a whole save would.
    const whole = simulate(scenario({ dataset, workload: { writesPerSec: 4000 }, snapshot: { durationSec: 5 } })).summary.cowPeakBytes;
    for (const child of summary.children) {
      expect(child.cowPeakBytes / summary.children[0]!.cowPeakBytes).toBeGreaterThan(0.95);
      expect(child.cowPeakBytes).toBeLessThan(0.6 * whole);
      expect(child.forkUsec).toBeGreaterThan(0);
    }
    // Between children the child's memory is gone.
    const between = series.tSec.findIndex((t) => t > summary.children[0]!.endSec && t < summary.children[1]!.startSec);
    if (between >= 0) expect(series.childPrivateBytes[between]).toBe(0);
    expect(series.events.filter((e) => e.kind === 'fork')).toHaveLength(5);
    expect(series.events.filter((e) => e.kind === 'replica-disconnected')).toHaveLength(5);
  });

  it('counts the 6.2 rewrite buffer in parent and child, and breaks the OOM peak into its parts', () => {
    const input: ScenarioInput = { dataset, workload: { writesPerSec: 4000 }, snapshot: { durationSec: 5, trigger: 'aof-rewrite' }, redis: { version: '6.2' }, host: { memoryBytes: '1GiB' } };
    const { summary, series } = simulate(scenario(input));
    expect(summary.aofRewriteBufferPeakBytes).toBeGreaterThan(0);
    expect(Math.max(...series.aofRewriteBufferBytes)).toBeLessThanOrEqual(summary.aofRewriteBufferPeakBytes);
    const v7 = simulate(scenario({ ...input, redis: { version: '7.0' } })).summary;
    expect(v7.aofRewriteBufferPeakBytes).toBe(0);
    expect(summary.peakHostMemoryBytes).toBeGreaterThan(v7.peakHostMemoryBytes);
    const c = summary.oom.components;
    const sum = c.parentBytes + c.cowBytes + c.replicationBufferBytes + c.aofRewriteBufferBytes + c.pageCacheBytes + c.forkPageTableBytes + c.reservedBytes;
    expect(sum).toBeCloseTo(summary.oom.peakBytes, -1);
  });

  it('says when the limit is first passed', () => {
    const tight = simulate(scenario({ dataset: { usedMemoryBytes: '1GiB', valueBytes: 100 }, workload: { writesPerSec: 5000 }, snapshot: { durationSec: 30 }, host: { memoryBytes: '1.3GiB', reservedBytes: 0 } }));
    const t = tight.summary.oom.firstExceededAtSec!;
    expect(t).toBeGreaterThan(0);
    const i = tight.series.tSec.findIndex((s) => s >= t);
    // The sample after that moment is over the limit, the one before it under (page tables aside).
    const held = (k: number) => tight.series.hostMemoryBytes[k]! + tight.summary.oom.components.forkPageTableBytes;
    expect(held(i)).toBeGreaterThan(1.3 * 2 ** 30);
    expect(held(i - 1)).toBeLessThanOrEqual(1.3 * 2 ** 30);
    expect(simulate(scenario({ dataset: { usedMemoryBytes: '1GiB', valueBytes: 100 }, host: { memoryBytes: '4GiB' } })).summary.oom.firstExceededAtSec).toBeNull();
  });
});

describe('simulate: datasets of segments', () => {
  const flat = { workload: { writesPerSec: 10_000 }, snapshot: { durationSec: 10 } };

  it('gives one string segment the shorthand’s result', () => {
    const shorthand = simulate(scenario({ ...flat, dataset: { keys: 1e6, valueBytes: 100 } })).summary;
    const segment = simulate(scenario({ ...flat, dataset: { segments: [{ type: 'string', keys: 1e6, valueBytes: 100 }] } })).summary;
    expect(segment.usedMemoryBytes).toBe(shorthand.usedMemoryBytes);
    expect(segment.cowPeakBytes / shorthand.cowPeakBytes).toBeCloseTo(1, 3);
    expect(segment.distinctKeysWritten).toBe(shorthand.distinctKeysWritten);
    expect(segment.rdbBytes).toBe(shorthand.rdbBytes);
    expect(segment.latestForkUsec).toBe(shorthand.latestForkUsec);
  });

  it('copies a size mix as its parts, not as their mean', () => {
    const mix = simulate(scenario({ ...flat, dataset: { segments: [{ type: 'string', keys: 5e5, valueBytes: 20 }, { type: 'string', keys: 5e5, valueBytes: 4000 }] } })).summary;
    const parts = [20, 4000].map((v) => simulate(scenario({ ...flat, workload: { writesPerSec: 5000 }, dataset: { keys: 5e5, valueBytes: v } })).summary);
    const mean = simulate(scenario({ ...flat, dataset: { keys: 1e6, valueBytes: 2010 } })).summary;
    // Each half takes half the writes on its own pages; the mean-sized dataset is another thing.
    const child = 768 * 1024;
    // (within 2%: on 7.0 the 4000 B half's copies are dismissed once saved, so it peaks before
    // the end while the small values keep growing: the peak of the sum is below the sum of peaks)
    expect(Math.abs((mix.cowPeakBytes - child) / (parts[0]!.cowPeakBytes + parts[1]!.cowPeakBytes - 2 * child) - 1)).toBeLessThan(0.02);
    expect(Math.abs(mix.cowPeakBytes / mean.cowPeakBytes - 1)).toBeGreaterThan(0.1);
  });

  it('sends no writes to a segment with writeShare 0 and all to the one with 1', () => {
    const segments = [
      { type: 'string' as const, keys: 5e5, valueBytes: 100, writeShare: 0 },
      { type: 'string' as const, keys: 5e5, valueBytes: 100, writeShare: 1 },
    ];
    const { summary } = simulate(scenario({ ...flat, dataset: { segments } }));
    const alone = simulate(scenario({ ...flat, dataset: { keys: 5e5, valueBytes: 100 } })).summary;
    expect(summary.distinctKeysWritten).toBe(alone.distinctKeysWritten);
    expect(summary.cowPeakBytes / alone.cowPeakBytes).toBeCloseTo(1, 2);
  });

  it('agrees between exact and expected modes on a mixed dataset', () => {
    const dataset = {
      segments: [
        { type: 'string' as const, keys: 2e5, valueBytes: 300 },
        { type: 'hash' as const, keys: 4e3, elements: 600, elementBytes: 32 },
        { type: 'hash' as const, keys: 1e5, elements: 16, elementBytes: 32 },
        { type: 'list' as const, keys: 1e4, elements: 100, elementBytes: 50 },
      ],
    };
    const expected = simulate(scenario({ ...flat, dataset })).summary;
    const exact = simulate(scenario({ ...flat, dataset, simulation: { mode: 'exact' } })).summary;
    expect(exact.cowPeakBytes / expected.cowPeakBytes).toBeGreaterThan(0.95);
    expect(exact.cowPeakBytes / expected.cowPeakBytes).toBeLessThan(1.05);
  });
});
