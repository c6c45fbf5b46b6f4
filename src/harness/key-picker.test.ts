import { describe, expect, it } from 'vitest';
import { Permutation } from '../engine/permutation.js';
import { createKeyPicker } from './key-picker.js';

const draw = (pick: () => number, n: number) => Array.from({ length: n }, pick);

describe('createKeyPicker', () => {
  it('walks keys in insertion order for a sequential load, wrapping at the end', () => {
    const pick = createKeyPicker({ keys: 5, distribution: { type: 'sequential' }, seed: 1 });
    expect(draw(pick, 7)).toEqual([0, 1, 2, 3, 4, 0, 1]);
  });

  it('indexes into the surviving key numbers after fragmentation', () => {
    const survivors = Uint32Array.from([3, 8, 9, 20]);
    const pick = createKeyPicker({ keys: 4, distribution: { type: 'sequential' }, seed: 1, survivors });
    expect(draw(pick, 5)).toEqual([3, 8, 9, 20, 3]);
  });

  it('scatters Zipf ranks over the keyspace with the engine permutation: the hottest key is perm(0)', () => {
    const keys = 10_000;
    const pick = createKeyPicker({ keys, distribution: { type: 'zipf', exponent: 0.99 }, seed: 7 });
    const counts = new Map<number, number>();
    for (const key of draw(pick, 50_000)) counts.set(key, (counts.get(key) ?? 0) + 1);
    const hottest = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    expect(hottest).toBe(new Permutation(keys, 7).apply(0));
    // P(rank 0) = 1/H(10^4, 0.99) ≈ 0.099.
    expect(counts.get(hottest)! / 50_000).toBeGreaterThan(0.09);
    expect(counts.get(hottest)! / 50_000).toBeLessThan(0.11);
  });

  it('sends 90% of a hot-set load to the scattered 1% of keys', () => {
    const keys = 100_000;
    const permutation = new Permutation(keys, 3);
    const hot = new Set(Array.from({ length: 1000 }, (_, r) => permutation.apply(r)));
    const pick = createKeyPicker({ keys, distribution: { type: 'hotset', hotKeyFraction: 0.01, hotWriteFraction: 0.9 }, seed: 3 });
    const share = draw(pick, 40_000).filter((k) => hot.has(k)).length / 40_000;
    expect(share).toBeGreaterThan(0.89);
    expect(share).toBeLessThan(0.91);
  });

  it('is deterministic for a seed', () => {
    const a = createKeyPicker({ keys: 1000, distribution: { type: 'uniform' }, seed: 11 });
    const b = createKeyPicker({ keys: 1000, distribution: { type: 'uniform' }, seed: 11 });
    expect(draw(a, 100)).toEqual(draw(b, 100));
  });

  it('rejects a survivor list of the wrong length', () => {
    expect(() => createKeyPicker({ keys: 3, distribution: { type: 'uniform' }, seed: 1, survivors: Uint32Array.from([1]) })).toThrow(RangeError);
  });
});
