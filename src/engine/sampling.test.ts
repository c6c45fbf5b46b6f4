import { fc, test as fcTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { sampling } from './sampling.js';

describe('sampling', () => {
  it('samples every interval to the exit, then a tail of 5% (at least 1 s) after it', () => {
    const { timesSec, intervalSec } = sampling(2.5, 0.5, 2000);
    expect(intervalSec).toBe(0.5);
    expect(timesSec).toEqual([0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5]);
  });

  it('widens the interval to fit maxPoints', () => {
    // 100 s plus a 5 s tail in 48 intervals.
    const { timesSec, intervalSec } = sampling(100, 0.1, 50);
    expect(intervalSec).toBe(105 / 48);
    expect(timesSec).toHaveLength(50);
    expect(timesSec).toContain(100);
    expect(timesSec.at(-1)).toBeCloseTo(105, 9);
  });

  it('takes no grid time beside the exit when the widened interval divides the child’s life', () => {
    // 0.505… s plus an equal tail in 496 intervals: the 248th grid time is the exit, give or take rounding.
    const { timesSec } = sampling(0.5054107042203619, 0.001, 498);
    expect(timesSec.filter((t) => Math.abs(t - 0.5054107042203619) < 1e-9)).toEqual([0.5054107042203619]);
    expect(timesSec.every((t, i) => i === 0 || t > timesSec[i - 1]!)).toBe(true);
  });

  it('keeps the fork and the exit when only two points are asked for', () => {
    expect(sampling(30, 0.1, 2)).toEqual({ timesSec: [0, 30], intervalSec: 30 });
  });

  fcTest.prop([fc.double({ min: 0.001, max: 86_400, noNaN: true }), fc.double({ min: 0.001, max: 3600, noNaN: true }), fc.integer({ min: 2, max: 5000 })])(
    'starts at fork, holds the exit, increases and stays within maxPoints',
    (durationSec, interval, maxPoints) => {
      const { timesSec } = sampling(durationSec, interval, maxPoints);
      expect(timesSec[0]).toBe(0);
      expect(timesSec).toContain(durationSec);
      expect(timesSec.length).toBeLessThanOrEqual(maxPoints);
      for (let i = 1; i < timesSec.length; i++) expect(timesSec[i]).toBeGreaterThan(timesSec[i - 1]!);
    },
  );
});
