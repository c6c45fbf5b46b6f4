import { describe, expect, it } from 'vitest';
import { platformPreset, WRITABLE_PTE_COST_RATIO } from '../engine/platforms.js';
import { CalibrationRequestSchema, CalibrationResultSchema, type CalibrationObservationInput } from '../schemas/calibration.js';
import { calibrate, fitSlope, median, REFERENCE_HUGE_RATIO } from './calibrate.js';

const GiB = 2 ** 30;
const run = (observations: CalibrationObservationInput[], extra: object = {}) =>
  CalibrationResultSchema.parse(calibrate(CalibrationRequestSchema.parse({ observations, ...extra })));

describe('median', () => {
  it('takes the middle value, or the mean of the middle two', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe('calibrate', () => {
  it('recovers fork µs per GiB exactly from forks that follow the model', () => {
    const observations = [0.25, 0.5, 1, 2, 4].map((gib) => ({ usedMemoryRssBytes: Math.round(gib * GiB), latestForkUsec: 240 + 50_000 * gib }));
    const result = run(observations);
    expect(result.fits.fork!.medianUsecPerUnit).toBeCloseTo(50_000, 3);
    expect(result.fits.fork!.leastSquaresUsecPerUnit).toBeCloseTo(50_000, 3);
    expect(result.fits.fork!.r2).toBeCloseTo(1, 9);
    expect(result.fits.fork!.medianAbsPercentError).toBe(0);
    expect(result.fits.fork!.residuals.some((r) => r.outlier)).toBe(false);
    expect(result.preset).toMatchObject({ forkUsecPerGiB: 50_000, forkFixedUsec: 240 });
    // No huge-page or fault data: both scaled from the reference VM, and said so.
    expect(result.preset.forkUsecPerGiBHuge).toBeCloseTo(50_000 * REFERENCE_HUGE_RATIO, 1);
    expect(result.preset.forkWritableUsecPerGiB).toBeCloseTo(50_000 * WRITABLE_PTE_COST_RATIO, 0);
    expect(result.preset.cowFaultUsec).toBeCloseTo((61 * 50_000) / platformPreset('reference-kvm').forkUsecPerGiB, 2);
    expect(result.derived).toHaveLength(3);
    expect(result.fits.forkWritable).toBeNull();
    expect(result.scenarioKernel).toEqual({
      forkUsecPerGiB: 50_000,
      forkWritableUsecPerGiB: result.preset.forkWritableUsecPerGiB,
      forkUsecPerGiBHuge: result.preset.forkUsecPerGiBHuge,
      cowFaultUsec: result.preset.cowFaultUsec,
    });
  });

  it('takes first forks (writable page-table entries) at the writable cost', () => {
    // Re-forks at 20,000 µs/GiB; first forks, every entry writable, cost the writable ratio more.
    const observations = [0.5, 1, 2].flatMap((gib) => [
      { usedMemoryRssBytes: gib * GiB, latestForkUsec: 240 + 20_000 * gib },
      { usedMemoryRssBytes: gib * GiB, writablePteShare: 1, latestForkUsec: 240 + 20_000 * WRITABLE_PTE_COST_RATIO * gib },
      { usedMemoryRssBytes: gib * GiB, writablePteShare: 0.1, latestForkUsec: 240 + 20_000 * (1 + 0.1 * (WRITABLE_PTE_COST_RATIO - 1)) * gib },
    ]);
    const result = run(observations);
    expect(result.fits.fork!.medianUsecPerUnit).toBeCloseTo(20_000, 3);
    expect(result.fits.fork!.medianAbsPercentError).toBeCloseTo(0, 6);
    expect(result.fits.forkWritable!.n).toBe(3);
    expect(result.preset.forkWritableUsecPerGiB).toBeCloseTo(20_000 * WRITABLE_PTE_COST_RATIO, 0);
  });

  it('fits a host’s own writable cost when it has first forks and re-forks', () => {
    // A hardware-paged host: writable entries cost 1.66×, not the reference VM's 3.25×.
    const observations = [0.5, 1, 2].flatMap((gib) => [
      { usedMemoryRssBytes: gib * GiB, latestForkUsec: 240 + 10_000 * gib },
      { usedMemoryRssBytes: gib * GiB, writablePteShare: 0.05, latestForkUsec: 240 + 10_000 * (1 + 0.05 * 0.66) * gib },
      { usedMemoryRssBytes: gib * GiB, writablePteShare: 1, latestForkUsec: 240 + 16_600 * gib },
    ]);
    const result = run(observations);
    expect(result.preset.forkUsecPerGiB).toBeCloseTo(10_000, -1);
    expect(result.preset.forkWritableUsecPerGiB).toBeCloseTo(16_600, -1);
    expect(result.fits.forkWritable!.medianAbsPercentError).toBeLessThan(0.1);
    expect(result.derived.some((d) => d.startsWith('forkWritableUsecPerGiB'))).toBe(false);
  });

  it('takes RSS as used_memory × mem_fragmentation_ratio when RSS is not given', () => {
    const result = run([{ usedMemoryBytes: GiB, fragmentationRatio: 2, latestForkUsec: 240 + 2 * 30_000 }]);
    expect(result.fits.fork!.medianUsecPerUnit).toBeCloseTo(30_000, 6);
  });

  it('is not moved by one fork slowed 3× by a busy neighbour, and flags it; least squares is', () => {
    const observations = [0.5, 1, 1, 1.5, 2, 2, 3].map((gib) => ({ usedMemoryRssBytes: gib * GiB, latestForkUsec: 240 + 40_000 * gib }));
    observations.push({ usedMemoryRssBytes: 2 * GiB, latestForkUsec: 240 + 3 * 40_000 * 2 });
    const fit = run(observations).fits.fork!;
    expect(fit.medianUsecPerUnit).toBeCloseTo(40_000, 6);
    expect(fit.leastSquaresUsecPerUnit).toBeGreaterThan(45_000);
    expect(fit.residuals.map((r) => r.outlier)).toEqual([false, false, false, false, false, false, false, true]);
    expect(fit.r2!).toBeLessThan(0.9);
  });

  it('fits huge-page forks on the huge share and charges the rest at the 4 KiB rate', () => {
    const observations: CalibrationObservationInput[] = [
      { usedMemoryRssBytes: GiB, latestForkUsec: 240 + 60_000 },
      { usedMemoryRssBytes: 2 * GiB, latestForkUsec: 240 + 120_000 },
      // 90% on huge pages at 900 µs/GiB, 10% on 4 KiB pages at 60,000 µs/GiB.
      { usedMemoryRssBytes: GiB, hugePages: true, hugePageCoverage: 0.9, latestForkUsec: 240 + 0.9 * 900 + 0.1 * 60_000 },
      { usedMemoryRssBytes: 4 * GiB, hugePages: true, hugePageCoverage: 0.9, latestForkUsec: 240 + 4 * (0.9 * 900 + 0.1 * 60_000) },
    ];
    const result = run(observations);
    expect(result.fits.forkHuge!.medianUsecPerUnit).toBeCloseTo(900, 6);
    expect(result.preset.forkUsecPerGiBHuge).toBeCloseTo(900, 6);
    expect(result.derived).toEqual([expect.stringContaining('forkWritableUsecPerGiB'), expect.stringContaining('cowFaultUsec')]);
  });

  it('counts a THP run whose heap was mostly split before the fork as a 4 KiB fork', () => {
    const result = run([
      { usedMemoryRssBytes: GiB, latestForkUsec: 240 + 40_000 },
      // 8% huge: 92% of 2 GiB at 40,000 µs/GiB plus 8% at the reference huge rate.
      {
        usedMemoryRssBytes: 2 * GiB,
        hugePages: true,
        hugePageCoverage: 0.08,
        latestForkUsec: 240 + 0.92 * 2 * 40_000 + 0.08 * 2 * platformPreset('reference-kvm').forkUsecPerGiBHuge,
      },
    ]);
    expect(result.fits.fork!.n).toBe(2);
    expect(result.fits.fork!.medianUsecPerUnit).toBeCloseTo(40_000, -1);
    expect(result.fits.forkHuge).toBeNull();
  });

  it('falls back to a derived value, and says so, when a fit gives no positive cost', () => {
    // Forks faster than the fixed cost alone: no per-GiB cost can explain them.
    const result = run([{ usedMemoryRssBytes: GiB, latestForkUsec: 100 }]);
    expect(result.preset.forkUsecPerGiB).toBe(platformPreset('reference-kvm').forkUsecPerGiB);
    expect(result.derived).toEqual(expect.arrayContaining([expect.stringMatching(/^forkUsecPerGiB: the fit gave -140/)]));
  });

  it('fits the fault cost from parent system CPU per fault on 4 KiB runs with enough faults', () => {
    const observations: CalibrationObservationInput[] = [
      { usedMemoryRssBytes: GiB, latestForkUsec: 60_000, copyOnWriteFaults: 100_000, faultSystemCpuSec: 5.5 },
      { usedMemoryRssBytes: GiB, latestForkUsec: 60_000, copyOnWriteFaults: 200_000, faultSystemCpuSec: 11 },
      // Too few faults to say anything; and a huge-page run: neither is fitted.
      { usedMemoryRssBytes: GiB, latestForkUsec: 60_000, copyOnWriteFaults: 150, faultSystemCpuSec: 0.1 },
      { usedMemoryRssBytes: GiB, hugePages: true, latestForkUsec: 3000, copyOnWriteFaults: 100_000, faultSystemCpuSec: 2 },
    ];
    const fit = run(observations).fits.cowFault!;
    expect(fit.n).toBe(2);
    expect(fit.medianUsecPerUnit).toBeCloseTo(55, 9);
    expect(fit.leastSquaresUsecPerUnit).toBeCloseTo(55, 9);
  });

  it('rejects an observation without a memory size, and fault fields given alone', () => {
    expect(CalibrationRequestSchema.safeParse({ observations: [{ latestForkUsec: 1000 }] }).success).toBe(false);
    expect(CalibrationRequestSchema.safeParse({ observations: [{ usedMemoryBytes: '1GiB', latestForkUsec: 1000 }] }).success).toBe(false);
    expect(
      CalibrationRequestSchema.safeParse({ observations: [{ usedMemoryRssBytes: '1GiB', latestForkUsec: 1000, copyOnWriteFaults: 10 }] }).success,
    ).toBe(false);
  });
});

describe('fitSlope', () => {
  it('reports the residual of each point against the median fit', () => {
    const fit = fitSlope(
      [
        { label: 'a', x: 1, measuredUsec: 110, offsetUsec: 10 },
        { label: 'b', x: 2, measuredUsec: 230, offsetUsec: 10 },
      ],
      'GiB',
    );
    expect(fit.medianUsecPerUnit).toBe(105);
    expect(fit.residuals.map((r) => r.predictedUsec)).toEqual([115, 220]);
    expect(fit.residuals.map((r) => r.errorPercent)).toEqual([4.55, -4.35]);
  });
});
