import { fc, test as fcTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { expectedDistinctKeys, type KeyDistribution } from './key-distribution.js';
import { distinctShare, distinctShareCurve, writeMix } from './write-mix.js';

const mix = (distribution: KeyDistribution, keys = 1_000_000, newKeyFraction = 0, deleteFraction = 0) =>
  writeMix({ keys, distribution, newKeyFraction, deleteFraction });

describe('write mix', () => {
  it('splits the writes into overwrites, inserts and deletes; inserts and deletes each write a bucket', () => {
    const m = mix({ type: 'uniform' }, 1000, 0.1, 0.25);
    expect(m.overwriteShare).toBeCloseTo(0.65, 15);
    expect(m.insertShare).toBe(0.1);
    expect(m.deleteShare).toBe(0.25);
    expect(m.bucketShare).toBeCloseTo(0.35, 15);
    expect(m.overwriteShare + m.insertShare + m.deleteShare).toBeCloseTo(1, 15);
    expect(mix({ type: 'uniform' }).overwriteShare).toBe(1);
    expect(mix({ type: 'uniform' }).sequential).toBe(false);
    expect(mix({ type: 'sequential' }).sequential).toBe(true);
  });

  it('reaches 1 − e^(−W/N) of the keys under uniform overwrites', () => {
    const n = 1_000_000;
    for (const writes of [1000, n, 3 * n]) {
      expect(distinctShare(mix({ type: 'uniform' }, n), writes)).toBeCloseTo(1 - Math.exp(-writes / n), 6);
    }
  });

  it('walks the keys one by one when sequential, and stops at all of them', () => {
    const m = mix({ type: 'sequential' }, 1000);
    expect(distinctShare(m, 250)).toBe(0.25);
    expect(distinctShare(m, 5000)).toBe(1);
    expect(distinctShareCurve(m, 100)(250)).toBe(0.25);
  });

  it('is expectedDistinctKeys over the key count for every distribution', () => {
    const dists: KeyDistribution[] = [
      { type: 'uniform' },
      { type: 'zipf', exponent: 0.99 },
      { type: 'hotset', hotKeyFraction: 0.05, hotWriteFraction: 0.8 },
    ];
    for (const dist of dists) {
      expect(distinctShare(mix(dist, 50_000), 20_000)).toBe(expectedDistinctKeys(dist, 50_000, 20_000) / 50_000);
    }
  });
});

describe('distinct-key curve', () => {
  it('is the exact share for uniform and hot-set loads, and for Zipf past its table', () => {
    const hot = mix({ type: 'hotset', hotKeyFraction: 0.01, hotWriteFraction: 0.9 });
    expect(distinctShareCurve(hot, 1e6)(123_456)).toBe(distinctShare(hot, 123_456));
    const zipf = mix({ type: 'zipf', exponent: 1.1 });
    const curve = distinctShareCurve(zipf, 1e5);
    expect(curve(1e5)).toBe(distinctShare(zipf, 1e5));
    expect(curve(4e5)).toBe(distinctShare(zipf, 4e5));
    expect(curve(0)).toBe(0);
  });

  fcTest.prop(
    [
      fc.integer({ min: 1000, max: 1e9 }),
      fc.double({ min: 0.3, max: 1.5, noNaN: true }),
      fc.double({ min: 0.01, max: 5, noNaN: true }),
      fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 20, maxLength: 20 }),
    ],
    { numRuns: 30 },
  )('interpolates the Zipf sum within 1e-5 of the share at its end, never decreasing', (keys, exponent, perKey, points) => {
    const m = mix({ type: 'zipf', exponent }, keys);
    const max = perKey * keys;
    const curve = distinctShareCurve(m, max);
    const atMax = distinctShare(m, max);
    const writes = points.map((p) => max * p * p * p).sort((a, b) => a - b);
    let previous = 0;
    for (const w of writes) {
      const value = curve(w);
      expect(Math.abs(value - distinctShare(m, w))).toBeLessThanOrEqual(1e-5 * atMax);
      expect(value).toBeGreaterThanOrEqual(previous);
      previous = value;
    }
  });

  it('is as close in the first overwrites, relative to the share there, on a steep Zipf head', () => {
    // The first samples of a run read the curve at a few writes of a table that reaches billions.
    const m = mix({ type: 'zipf', exponent: 1.3 }, 16_000_000);
    const curve = distinctShareCurve(m, 2e9);
    for (const w of [1.5, 2, 3, 5, 10, 30, 100, 1000, 1e4, 1e6, 1e8]) {
      const exact = distinctShare(m, w);
      expect(Math.abs(curve(w) - exact) / exact).toBeLessThan(1e-6);
    }
  });
});
