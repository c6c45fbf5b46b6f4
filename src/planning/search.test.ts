import { describe, expect, it } from 'vitest';
import { searchBoundary, type Probe, type SearchAxis } from './search.js';

const axis = (over: Partial<SearchAxis> = {}): SearchAxis => ({
  lo: 0,
  hi: 1e7,
  start: 1000,
  fitsBelow: true,
  scale: 'linear',
  interpolation: 'linear',
  snap: Math.round,
  step: () => 1,
  ...over,
});

/** A margin from a peak curve against a fixed budget. */
const probeOf = (peak: (x: number) => number, budget: number) => (value: number): Probe => {
  const peakBytes = peak(value);
  return { value, peakBytes, fits: peakBytes <= budget, marginBytes: budget - peakBytes };
};

describe('searchBoundary', () => {
  it('brackets a saturating peak to one step, in far fewer probes than bisection of 1e7', () => {
    // Copy-on-write-like: approaches twice the dataset as the rate grows.
    const peak = (x: number) => 1e9 * (2 - Math.exp(-x / 20_000));
    const budget = 1.6e9;
    const root = -20_000 * Math.log(0.4);
    const result = searchBoundary(axis({ interpolation: 'log' }), probeOf(peak, budget));
    expect(result.outcome.kind).toBe('boundary');
    if (result.outcome.kind !== 'boundary') return;
    expect(result.outcome.inside.value).toBe(Math.floor(root));
    expect(result.outcome.beyond.value).toBe(Math.floor(root) + 1);
    // Bisection of [0, 1e7] to 1 needs 24 probes.
    expect(result.probes.length).toBeLessThan(24);
    expect(result.monotone).toBe(true);
  });

  it('finds a minimum when large values fit', () => {
    const result = searchBoundary(axis({ fitsBelow: false, lo: 1, hi: 1e9, start: 100, scale: 'log' }), (x) => ({ value: x, peakBytes: 777_777, fits: x >= 777_777, marginBytes: x - 777_777 }));
    expect(result.outcome).toMatchObject({ kind: 'boundary', inside: { value: 777_777 }, beyond: { value: 777_776 } });
  });

  it('answers all-fit and none-fit at the ends', () => {
    expect(searchBoundary(axis(), probeOf(() => 1, 2)).outcome.kind).toBe('all-fit');
    const none = searchBoundary(axis(), probeOf(() => 3, 2));
    expect(none.outcome).toMatchObject({ kind: 'none-fit', beyond: { value: 0 } });
  });

  it('says so when the peak is not monotone along the axis', () => {
    // A peak that falls again past 5000 (a child killed early, say).
    const peak = (x: number) => (x < 5000 ? x : 10_000 - x);
    const result = searchBoundary(axis({ start: 4000 }), probeOf(peak, 4500));
    expect(result.monotone).toBe(false);
    expect(result.monotonicityNote).toMatch(/not monotone/);
  });
});
