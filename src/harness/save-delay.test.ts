import { describe, expect, it } from 'vitest';
import { chooseDelay, correctModel, delayCostUsec, planDelay, targetUsecPerKey, type DelayCostModel } from './save-delay.js';

const model: DelayCostModel = { fixedUsec: 2, sleepOverheadUsec: 100 };

describe('rdb-key-save-delay sizing', () => {
  it('prices positive delays as sleeps and negative ones as a 1/N chance of usleep(1)', () => {
    expect(delayCostUsec(0, model)).toBe(0);
    expect(delayCostUsec(150, model)).toBe(252);
    expect(delayCostUsec(-101, model)).toBeCloseTo(3, 12);
  });

  it('picks the setting whose cost comes closest to the extra time per key', () => {
    const settings = [...Array.from({ length: 10_000 }, (_, i) => i), ...Array.from({ length: 10_000 }, (_, i) => -(i + 2))];
    for (const extra of [0.3, 2.5, 3.1, 5, 20, 45, 60, 101, 103, 400, 5000]) {
      const best = Math.min(...settings.map((d) => Math.abs(delayCostUsec(d, model) - extra)));
      const delay = chooseDelay(extra, model);
      expect(Math.abs(delayCostUsec(delay, model) - extra), `extra ${extra} → ${delay}`).toBeCloseTo(best, 9);
    }
  });

  it('keeps no delay when even the cheapest setting overshoots more than it helps', () => {
    expect(chooseDelay(0, model)).toBe(0);
    expect(chooseDelay(-3, model)).toBe(0);
    expect(chooseDelay(0.5, model)).toBe(0);
  });

  it('learns the per-key cost of any delay from a probe with a negative setting', () => {
    // True costs: fixed 3.5 µs, usleep overhead 100 µs; a probe at -355 adds 3.5 + 101/355.
    const corrected = correctModel({ fixedUsec: 0, sleepOverheadUsec: 100 }, -355, 3.5 + 101 / 355);
    expect(corrected.fixedUsec).toBeCloseTo(3.5, 9);
    expect(corrected.sleepOverheadUsec).toBe(100);
  });

  it('learns fixed + overhead from a probe with a positive setting', () => {
    const corrected = correctModel(model, 79, 79 + 130);
    expect(corrected.fixedUsec + corrected.sleepOverheadUsec).toBeCloseTo(130, 9);
  });

  it('plans a delay that stretches the save to the target', () => {
    const keys = 200_000;
    const base = { delay: 0, per_key_us: 5, finished: false };
    // 8 µs more per key: 2 µs for any delay plus usleep(1) (101 µs) one key in ~17.
    const plan = planDelay(keys, 2.6, [base], model);
    expect(targetUsecPerKey(keys, 2.6)).toBe(13);
    expect(plan.delay).toBe(-17);
    expect(plan.predictedSec).toBeCloseTo((keys * (5 + 2 + 101 / 17)) / 1e6, 9);
    // A probe that ran slower than planned shrinks the next plan's delay.
    const slow = { delay: plan.delay, per_key_us: 5 + 2 * delayCostUsec(plan.delay, model), finished: false };
    expect(planDelay(keys, 2.6, [base, slow], model).delay).toBeLessThan(plan.delay);
  });

  it('needs a probe without delay', () => {
    expect(() => planDelay(10, 1, [{ delay: -3, per_key_us: 4, finished: false }])).toThrow(RangeError);
  });
});
