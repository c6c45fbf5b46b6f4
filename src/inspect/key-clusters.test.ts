import { fc, test as fcTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { LIMITS } from '../engine/limits.js';
import { clusterSample, intsetWidthBytes, MIN_BAND_SHARE } from './key-clusters.js';
import type { SampledKey } from './sampled-key.js';

function key(overrides: Partial<SampledKey>): SampledKey {
  return {
    db: 0,
    keyBytes: 10,
    type: 'string',
    encoding: 'raw',
    memoryBytes: 200,
    ttlMs: undefined,
    idleSec: 100,
    length: 100,
    elementBytes: [],
    weight: 1,
    ...overrides,
  };
}
const many = (n: number, overrides: Partial<SampledKey>) => Array.from({ length: n }, () => key(overrides));
const options = (keys: number, sampled: number) => ({ accessWindowSec: 10, dbKeys: { 0: { keys, sampled } } });

describe('clusterSample', () => {
  it('splits by type, encoding and size band, scaling counts by the weight', () => {
    const sample = [
      ...many(600, { length: 100, weight: 10 }),
      ...many(300, { length: 1000, memoryBytes: 1100, weight: 10 }),
      ...many(100, { type: 'hash', encoding: 'listpack', length: 8, elementBytes: [20, 22, 24], memoryBytes: 300, weight: 10 }),
    ];
    const { clusters, unmodelled } = clusterSample(sample, options(10_000, 1000));
    expect(clusters.map((c) => [c.type, c.encoding, c.bands.from, c.keys])).toEqual([
      ['string', 'raw', 6, 6000],
      ['string', 'raw', 9, 3000],
      ['hash', 'listpack', 3, 1000],
    ]);
    expect(clusters[2]!.elements).toBe(8);
    expect(clusters[2]!.elementBytes).toBe(22);
    expect(clusters[1]!.memoryBytes).toBe(3_300_000);
    // 600 of 1000 sampled from 10,000: N·√(p(1−p)/n·(1 − n/N)) = 10,000·√(0.24/1000·0.9).
    expect(clusters[0]!.keysStdErr).toBeCloseTo(10_000 * Math.sqrt((0.6 * 0.4 * 0.9) / 1000), 6);
    expect(unmodelled).toEqual([]);
  });

  it('joins a band too small in keys and memory to its nearest neighbour, and keeps a small one that holds memory', () => {
    const sample = [
      ...many(980, { length: 100 }),
      // 1% of keys and of memory: merged into the 64–127 B band.
      ...many(10, { length: 300, memoryBytes: 400 }),
      // 1% of keys but most of the memory: a segment of its own.
      ...many(10, { length: 100_000, memoryBytes: 110_000 }),
    ];
    const { clusters } = clusterSample(sample, options(1000, 1000));
    expect(clusters.map((c) => [c.bands.from, c.bands.to, c.keys])).toEqual([
      [6, 8, 990],
      [16, 16, 10],
    ]);
    expect(clusters[0]!.valueBytes).toBeCloseTo((980 * 100 + 10 * 300) / 990, 9);
    expect(clusters.every((c) => c.keysStdErr === 0)).toBe(true);
    expect(MIN_BAND_SHARE).toBe(2 / LIMITS.maxSegments);
  });

  it('weighs element sizes by element count, and reads TTL shares, intset widths and recent access', () => {
    const sample = [
      key({ type: 'set', encoding: 'intset', length: 16, elementBytes: [3, 3], maxAbsIntMember: 40_000, ttlMs: 5000, idleSec: 1 }),
      key({ type: 'set', encoding: 'intset', length: 28, elementBytes: [5], maxAbsIntMember: 7, ttlMs: 9000, idleSec: 20 }),
      key({ type: 'set', encoding: 'intset', length: 16, elementBytes: [1], maxAbsIntMember: 7, idleSec: undefined }),
    ];
    const [c] = clusterSample(sample, options(3, 3)).clusters;
    expect(c!.elements).toBe(20);
    expect(c!.elementBytes).toBeCloseTo((16 * 3 + 28 * 5 + 16 * 1) / 60, 9);
    expect(c!.intWidthBytes).toBe(4);
    expect(c!.ttl).toEqual({ share: 2 / 3, fromSec: 5, toSec: 9 });
    expect(c!.idle).toEqual({ known: 2, recent: 1 });
    expect([intsetWidthBytes(32_767), intsetWidthBytes(32_768), intsetWidthBytes(2 ** 31)]).toEqual([2, 4, 8]);
  });

  it('keeps streams and module types out of the segments, counted', () => {
    const { clusters, unmodelled } = clusterSample([key({}), key({ type: 'stream', encoding: 'stream', weight: 5, memoryBytes: 1000 })], options(6, 2));
    expect(clusters).toHaveLength(1);
    expect(unmodelled).toEqual([{ type: 'stream', encoding: 'stream', keys: 5, memoryBytes: 5000 }]);
  });

  const sampledKey = fc.record({
    type: fc.constantFrom('string', 'hash', 'set', 'zset', 'list'),
    encoding: fc.constantFrom('raw', 'listpack', 'hashtable'),
    length: fc.integer({ min: 1, max: 2 ** 20 }),
    memoryBytes: fc.integer({ min: 16, max: 2 ** 22 }),
    weight: fc.double({ min: 1, max: 100, noNaN: true }),
  });
  fcTest.prop([fc.array(sampledKey, { minLength: 1, maxLength: 400 })], { numRuns: 60 })(
    'puts every key in one segment of its type and encoding, keeps the weights, and stays within the segment limit',
    (keys) => {
      const sample = keys.map((k) => key(k));
      const { clusters } = clusterSample(sample, options(10_000, sample.length));
      expect(clusters.length).toBeLessThanOrEqual(LIMITS.maxSegments);
      expect(clusters.reduce((s, c) => s + c.sampledKeys, 0)).toBe(sample.length);
      const total = sample.reduce((s, k) => s + k.weight, 0);
      expect(clusters.reduce((s, c) => s + c.keys, 0)).toBeCloseTo(total, 6);
      for (const c of clusters) expect(c.members.every((m) => m.type === c.type && m.encoding === c.encoding)).toBe(true);
      // Bands of one type and encoding do not overlap.
      for (const c of clusters) {
        for (const d of clusters) if (c !== d && c.type === d.type && c.encoding === d.encoding) expect(c.bands.to < d.bands.from || d.bands.to < c.bands.from).toBe(true);
      }
    },
  );
});
