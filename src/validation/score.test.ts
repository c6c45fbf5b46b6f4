import { describe, expect, it } from 'vitest';
import type { SimulationResult } from '../schemas/result.js';
import type { GroundTruthRun } from '../measured-run/scenario-from-run.js';
import { cowAt, quarterSamples, scoreSimulation } from './score.js';

const MiB = 2 ** 20;

function measured(writes: number): GroundTruthRun['measured'] {
  return {
    peakCowBytes: 100 * MiB,
    forkUsec: 20_000,
    snapshotSec: 4,
    usedMemoryBytes: 1000 * MiB,
    writes,
    series: [0.9, 2.1, 2.9, 3.95, 4.1].map((t) => ({ t_s: t, child_private_dirty_bytes: t < 4 ? t * 25 * MiB : null, writes_so_far: t * 100 })),
  };
}

const simulated = (scale: number, peakBytes = 110 * MiB) =>
  ({
    summary: { cowPeakBytes: peakBytes, latestForkUsec: 15_000 },
    series: { tSec: [0, 4, 5], cowBytes: [0, 4 * 25 * MiB * scale, 0] },
  }) as unknown as SimulationResult;

describe('scoring a simulation against a measured run', () => {
  it('interpolates the simulated series', () => {
    expect(cowAt(simulated(1), 1)).toBeCloseTo(25 * MiB, 6);
    expect(cowAt(simulated(1), 9)).toBe(0);
  });

  it('takes the samples nearest each quarter, the last live one for the end', () => {
    expect(quarterSamples(measured(10)).map((s) => s.t_s)).toEqual([0.9, 2.1, 2.9, 3.95]);
  });

  it('gives relative errors for peak, quarters and fork, and judges the peak against 15%', () => {
    const score = scoreSimulation({ name: 'x', measured: measured(10) } as GroundTruthRun, simulated(1.1));
    expect(score.peakError).toBeCloseTo(0.1, 12);
    expect(score.quarters).toHaveLength(4);
    for (const q of score.quarters) expect(q.error).toBeCloseTo(0.1, 9);
    expect(score.forkError).toBeCloseTo(-0.25, 12);
    expect(score.withinTolerance).toBe(true);
  });

  it('scores a run without writes against used memory', () => {
    const score = scoreSimulation({ name: 'x', measured: measured(0) } as GroundTruthRun, simulated(1.1, 115 * MiB));
    expect(score.writeless).toBe(true);
    expect(score.peakError).toBeCloseTo(15 / 1000, 12);
    expect(score.withinTolerance).toBe(false);
  });
});
