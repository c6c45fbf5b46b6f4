import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { seriesColumns, type Series } from '../schemas/result.js';
import { downsampleIndices, downsampleSeries } from './downsample.js';

function seriesOf(cowBytes: number[], faultStallMs: number[] = cowBytes.map(() => 0.5)): Series {
  const n = cowBytes.length;
  const ramp = Array.from({ length: n }, (_, i) => i);
  return {
    tSec: ramp.map((i) => i / 10),
    copiedPages: ramp,
    cowBytes,
    parentRssBytes: ramp.map(() => 1e9),
    childPrivateBytes: cowBytes,
    hostMemoryBytes: cowBytes.map((c) => 1e9 + c),
    writes: ramp.map((i) => i * 100),
    forkPerc: ramp.map((i) => (100 * i) / (n - 1)),
    faultStallMs,
    replicationBufferBytes: ramp.map((i) => i * 20_504),
    aofRewriteBufferBytes: ramp.map(() => 0),
    pageCacheBytes: ramp.map((i) => i * 4096),
    events: [{ kind: 'fork', tSec: 0 }],
  };
}

describe('downsampleIndices', () => {
  it('keeps everything when the series already fits', () => {
    expect(downsampleIndices(5, 5, 2)).toEqual([0, 1, 2, 3, 4]);
    expect(downsampleIndices(3, 100, 1)).toEqual([0, 1, 2]);
  });

  it('spreads the budget evenly over the index range', () => {
    expect(downsampleIndices(101, 5, 0)).toEqual([0, 25, 50, 75, 100]);
  });

  it('swaps the nearer inner neighbour for the point to keep', () => {
    expect(downsampleIndices(101, 5, 30)).toEqual([0, 30, 50, 75, 100]);
    expect(downsampleIndices(101, 5, 45)).toEqual([0, 25, 45, 75, 100]);
    // Next to the last point, the inner neighbour gives way rather than the end point.
    expect(downsampleIndices(101, 3, 99)).toEqual([0, 99, 100]);
    expect(downsampleIndices(101, 3, 1)).toEqual([0, 1, 100]);
  });

  it('refuses budgets that cannot hold first, last and peak', () => {
    expect(() => downsampleIndices(10, 2, 5)).toThrow(RangeError);
  });

  test.prop([fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 3, max: 400 }), fc.nat()])(
    'returns at most maxPoints sorted distinct indices with first, last and the kept one',
    (length, maxPoints, k) => {
      const keep = k % length;
      const indices = downsampleIndices(length, maxPoints, keep);
      expect(indices.length).toBe(Math.min(length, maxPoints));
      for (let i = 1; i < indices.length; i++) expect(indices[i]!).toBeGreaterThan(indices[i - 1]!);
      expect(indices[0]).toBe(0);
      expect(indices.at(-1)).toBe(length - 1);
      expect(indices).toContain(keep);
    },
  );
});

describe('downsampleSeries', () => {
  it('keeps the copy-on-write peak and thins every column alike', () => {
    const cow = Array.from({ length: 1000 }, (_, i) => (i === 613 ? 9e9 : i));
    const out = downsampleSeries(seriesOf(cow), 10);
    expect(out.cowBytes).toHaveLength(10);
    expect(Math.max(...out.cowBytes)).toBe(9e9);
    const at = out.cowBytes.indexOf(9e9);
    expect(out.tSec[at]).toBeCloseTo(61.3, 9);
    expect(out.copiedPages[at]).toBe(613);
    expect(out.tSec[0]).toBe(0);
    expect(out.tSec.at(-1)).toBeCloseTo(99.9, 9);
    for (const column of seriesColumns(out)) expect(out[column]).toHaveLength(10);
    expect(out.replicationBufferBytes[at]).toBe(613 * 20_504);
    // The events are moments, not samples: kept whole.
    expect(out.events).toEqual([{ kind: 'fork', tSec: 0 }]);
  });

  it('sums faultStallMs over the samples it replaces, so the total stays', () => {
    const stall = Array.from({ length: 997 }, (_, i) => ((i * 7919) % 13) / 8);
    const out = downsampleSeries(seriesOf(Array.from({ length: 997 }, (_, i) => i % 50), stall), 17);
    const total = (values: number[]) => values.reduce((a, b) => a + b, 0);
    expect(total(out.faultStallMs)).toBeCloseTo(total(stall), 6);
  });

  it('returns the series itself when it already fits', () => {
    const series = seriesOf([1, 2, 3]);
    expect(downsampleSeries(series, 3)).toBe(series);
  });
});
