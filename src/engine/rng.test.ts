import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng } from './rng.js';

const TWO_POW_32 = 2 ** 32;
const TWO_POW_53 = 2 ** 53;

function take<T>(n: number, f: () => T): T[] {
  return Array.from({ length: n }, f);
}

// Independent model in BigInt arithmetic: splitmix32 (golden-ratio increment, lowbias32 output)
// feeding xoshiro128**, for seeds below 2^32 where no high word is folded in.
const M32 = 0xffffffffn;
function modelSplitmix32(seed: number): bigint[] {
  let state = BigInt(seed);
  const words: bigint[] = [];
  for (let i = 0; i < 4; i++) {
    state = (state + 0x9e3779b9n) & M32;
    let z = state;
    z = ((z ^ (z >> 16n)) * 0x21f0aaadn) & M32;
    z = ((z ^ (z >> 15n)) * 0x735a2d97n) & M32;
    words.push(z ^ (z >> 15n));
  }
  return words;
}
function modelXoshiro(s: bigint[], count: number): number[] {
  const rotl = (x: bigint, k: bigint) => ((x << k) | (x >> (32n - k))) & M32;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const [s0, s1, s2, s3] = s as [bigint, bigint, bigint, bigint];
    out.push(Number((rotl((s1 * 5n) & M32, 7n) * 9n) & M32));
    const t = (s1 << 9n) & M32;
    const n2 = s2 ^ s0;
    const n3 = s3 ^ s1;
    s[1] = s1 ^ n2;
    s[0] = s0 ^ n3;
    s[2] = n2 ^ t;
    s[3] = rotl(n3, 11n);
  }
  return out;
}

describe('Rng sequence', () => {
  it('reproduces the xoshiro128** reference output from state {1, 2, 3, 4}', () => {
    // Published by the reference C implementation (v1.1); also rand_xoshiro's test vector.
    const rng = Rng.fromState(1, 2, 3, 4);
    expect(take(10, () => rng.nextU32())).toEqual([
      11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849, 3729100597,
      4258142804,
    ]);
  });

  it('seeds through splitmix32 exactly as an independent BigInt model does', () => {
    for (const seed of [0, 1, 42, 12345, 0xdeadbeef, TWO_POW_32 - 1]) {
      const rng = new Rng(seed);
      expect(take(50, () => rng.nextU32())).toEqual(modelXoshiro(modelSplitmix32(seed), 50));
    }
  });

  it('is deterministic: the same seed gives the same first 1000 values of every method', () => {
    for (const seed of [0, 7, 2 ** 31, 2 ** 40 + 3, -5, TWO_POW_53]) {
      const a = new Rng(seed);
      const b = new Rng(seed);
      const drawA = () => [a.nextU32(), a.next(), a.below(1000), a.below(1e10)];
      const drawB = () => [b.nextU32(), b.next(), b.below(1000), b.below(1e10)];
      expect(take(1000, drawA)).toEqual(take(1000, drawB));
    }
  });

  it('gives different sequences for different seeds, including ones differing only above 2^32', () => {
    const seeds = [0, 1, 2, TWO_POW_32, TWO_POW_32 + 1, 2 ** 52, TWO_POW_53, -1, -TWO_POW_53];
    const firsts = seeds.map((seed) => {
      const rng = new Rng(seed);
      return take(8, () => rng.nextU32()).join(',');
    });
    expect(new Set(firsts).size).toBe(seeds.length);
  });

  it('rejects seeds that are not integers within ±2^53', () => {
    for (const bad of [0.5, NaN, Infinity, -Infinity, TWO_POW_53 * 2]) {
      expect(() => new Rng(bad)).toThrow(RangeError);
    }
    expect(() => Rng.fromState(0, 0, 0, 0)).toThrow(RangeError);
  });
});

describe('Rng values', () => {
  it('nextU32 returns integers in [0, 2^32) covering both halves', () => {
    const rng = new Rng(3);
    let high = 0;
    let outside = 0;
    for (let i = 0; i < 10_000; i++) {
      const v = rng.nextU32();
      if (!(Number.isInteger(v) && v >= 0 && v < TWO_POW_32)) outside++;
      if (v >= 2 ** 31) high++;
    }
    expect(outside).toBe(0);
    expect(high).toBeGreaterThan(4_700);
    expect(high).toBeLessThan(5_300);
  });

  it('next() is in [0, 1), has mean 0.5, and carries more than 32 bits', () => {
    const rng = new Rng(11);
    const count = 100_000;
    let sum = 0;
    let fineBits = 0;
    let outside = 0;
    for (let i = 0; i < count; i++) {
      const v = rng.next();
      if (!(v >= 0 && v < 1)) outside++;
      sum += v;
      if (!Number.isInteger(v * TWO_POW_32)) fineBits++;
    }
    expect(outside).toBe(0);
    // Standard error of the mean is 0.289/sqrt(1e5) = 0.0009.
    expect(Math.abs(sum / count - 0.5)).toBeLessThan(0.005);
    expect(fineBits).toBeGreaterThan(count * 0.99);
  });

  it.each([1, 7, 1000, 2 ** 31 + 1, TWO_POW_32, TWO_POW_32 + 5, 1e10, TWO_POW_53])(
    'below(%d) stays in [0, n)',
    (n) => {
      const rng = new Rng(n % 1000);
      let min = Infinity;
      let max = -Infinity;
      let outside = 0;
      for (let i = 0; i < 20_000; i++) {
        const v = rng.below(n);
        if (!(Number.isInteger(v) && v >= 0 && v < n)) outside++;
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      expect(outside).toBe(0);
      if (n === 1) {
        expect(max).toBe(0);
      } else {
        // 20 000 uniform draws leave gaps of about n/20 000 at either end.
        expect(min).toBeLessThan(n * 0.001 + 1);
        expect(max).toBeGreaterThan(n * 0.999 - 1);
      }
    },
  );
});

describe('Rng.below', () => {
  it('below(7) hits every value', () => {
    const rng = new Rng(5);
    const seen = new Set(take(1000, () => rng.below(7)));
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('below(10) passes a chi-square uniformity check over 1e5 draws', () => {
    const rng = new Rng(2024);
    const counts = new Array<number>(10).fill(0);
    const draws = 100_000;
    for (let i = 0; i < draws; i++) counts[rng.below(10)]!++;
    const expected = draws / 10;
    const chi2 = counts.reduce((acc, c) => acc + (c - expected) ** 2 / expected, 0);
    // 9 degrees of freedom: P(chi2 > 27.9) = 0.001; 40 leaves a wide margin.
    expect(chi2).toBeLessThan(40);
  });

  it('below is unbiased where a plain modulo would not be', () => {
    // n = 3·2^30: x mod n would put 2/3 of 32-bit draws below n/3 (twice the 1/3 it should).
    const n = 3 * 2 ** 30;
    const rng = new Rng(77);
    const draws = 60_000;
    let low = 0;
    for (let i = 0; i < draws; i++) if (rng.below(n) < n / 3) low++;
    expect(Math.abs(low / draws - 1 / 3)).toBeLessThan(0.01);
  });

  it('below spreads large n evenly, including the partial top block above 2^33', () => {
    const n = 1e10;
    const rng = new Rng(99);
    const draws = 100_000;
    let sum = 0;
    let top = 0;
    for (let i = 0; i < draws; i++) {
      const v = rng.below(n);
      sum += v;
      if (v >= 2 * TWO_POW_32) top++;
    }
    expect(Math.abs(sum / draws / n - 0.5)).toBeLessThan(0.005);
    const topShare = (n - 2 * TWO_POW_32) / n; // 0.141
    expect(Math.abs(top / draws - topShare)).toBeLessThan(0.006);
  });

  it('below rejects n outside the integers 1..2^53', () => {
    const rng = new Rng(1);
    for (const bad of [0, -3, 1.5, NaN, Infinity, TWO_POW_53 + 2, TWO_POW_32 + 0.5]) {
      expect(() => rng.below(bad)).toThrow(RangeError);
    }
  });

  it('below(n) is always an integer in range (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.oneof(fc.integer({ min: 1, max: 2 ** 31 }), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER })),
        (seed, n) => {
          const rng = new Rng(seed);
          for (let i = 0; i < 50; i++) {
            const v = rng.below(n);
            if (!(Number.isInteger(v) && v >= 0 && v < n)) return false;
          }
          return true;
        },
      ),
    );
  });
});
