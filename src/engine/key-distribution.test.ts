import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  createRankSampler,
  expectedDistinctKeys,
  tableExp,
  zipfDistinctKeysTable,
  type KeyDistribution,
} from './key-distribution.js';
import { Rng } from './rng.js';

const zipf = (exponent: number): KeyDistribution => ({ type: 'zipf', exponent });

/** Exact Zipf pmf over ranks [0, n), rank k weighted (k+1)^-s; summed smallest first. */
function zipfPmf(n: number, s: number): Float64Array {
  const p = new Float64Array(n);
  let total = 0;
  for (let k = n - 1; k >= 0; k--) {
    p[k] = Math.pow(k + 1, -s);
    total += p[k]!;
  }
  for (let k = 0; k < n; k++) p[k]! /= total;
  return p;
}

/** Σ_k 1 − (1 − p_k)^W, term by term. */
function bruteDistinct(p: ArrayLike<number>, writes: number): number {
  let e = 0;
  for (let k = p.length - 1; k >= 0; k--) e += -Math.expm1(writes * Math.log1p(-p[k]!));
  return e;
}

function hotsetPmf(n: number, hotKeyFraction: number, hotWriteFraction: number): Float64Array {
  const h = Math.max(1, Math.round(hotKeyFraction * n));
  const p = new Float64Array(n);
  for (let k = 0; k < n; k++) p[k] = h === n ? 1 / n : k < h ? hotWriteFraction / h : (1 - hotWriteFraction) / (n - h);
  return p;
}

function relErr(a: number, b: number): number {
  return Math.abs(a - b) / Math.abs(b);
}

describe('zipf sampler', () => {
  it.each([0.5, 0.99, 1, 1.5])('matches the exact pmf of ranks 0..9 and of the tail, n = 1000, s = %d', (s) => {
    const n = 1000;
    const draws = 200_000;
    const sampler = createRankSampler(zipf(s), n);
    const rng = new Rng(Math.round(s * 1000));
    const counts = new Float64Array(n);
    let outside = 0;
    for (let i = 0; i < draws; i++) {
      const k = sampler.sample(rng);
      if (!(Number.isInteger(k) && k >= 0 && k < n)) outside++;
      else counts[k]!++;
    }
    expect(outside).toBe(0);
    const p = zipfPmf(n, s);
    const within5Se = (count: number, prob: number) => {
      const se = Math.sqrt(draws * prob * (1 - prob));
      return Math.abs(count - draws * prob) / se;
    };
    for (let k = 0; k < 10; k++) {
      expect(within5Se(counts[k]!, p[k]!), `rank ${k}`).toBeLessThan(5);
    }
    // Bands of the tail, so the hat/squeeze logic is checked away from the head as well.
    for (const [lo, hi] of [
      [10, 30],
      [30, 100],
      [100, 300],
      [300, 1000],
    ] as const) {
      let c = 0;
      let q = 0;
      for (let k = lo; k < hi; k++) {
        c += counts[k]!;
        q += p[k]!;
      }
      expect(within5Se(c, q), `ranks ${lo}..${hi - 1}`).toBeLessThan(5);
    }
  });

  it('matches the pmf for a steep exponent on a tiny keyspace (n = 3, s = 5)', () => {
    const sampler = createRankSampler(zipf(5), 3);
    const rng = new Rng(8);
    const draws = 100_000;
    const counts = [0, 0, 0];
    for (let i = 0; i < draws; i++) counts[sampler.sample(rng)]!++;
    const p = zipfPmf(3, 5);
    for (let k = 0; k < 3; k++) {
      const se = Math.sqrt(draws * p[k]! * (1 - p[k]!));
      expect(Math.abs(counts[k]! - draws * p[k]!) / se).toBeLessThan(5);
    }
  });
});

describe('zipf sampler edges', () => {
  it('always returns 0 when n = 1', () => {
    const sampler = createRankSampler(zipf(0.8), 1);
    const rng = new Rng(1);
    for (let i = 0; i < 100; i++) expect(sampler.sample(rng)).toBe(0);
  });

  it('is stable at s = 1: exponents within 1e-12 of 1 draw the same ranks', () => {
    // A naive (x^(1-s) - 1)/(1 - s) cancels to garbage here; the log1p/expm1 forms do not.
    const n = 1e9;
    const draw = (s: number) => {
      const sampler = createRankSampler(zipf(s), n);
      const rng = new Rng(31);
      return Array.from({ length: 10_000 }, () => sampler.sample(rng));
    };
    const exact = draw(1);
    for (const s of [1 - 1e-12, 1 + 1e-12]) {
      const near = draw(s);
      let same = 0;
      for (let i = 0; i < exact.length; i++) if (near[i] === exact[i]) same++;
      expect(same).toBeGreaterThan(exact.length * 0.999);
    }
  });

  it('keeps every sample in [0, 1e10) across seeds and exponents (property)', () => {
    const n = 1e10;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.oneof(
          fc.double({ min: 0.01, max: 5, noNaN: true }),
          fc.constantFrom(1, 1 - 1e-9, 1 + 1e-9, 0.99, 2, 5),
        ),
        (seed, s) => {
          const sampler = createRankSampler(zipf(s), n);
          const rng = new Rng(seed);
          for (let i = 0; i < 2000; i++) {
            const k = sampler.sample(rng);
            if (!(Number.isInteger(k) && k >= 0 && k < n)) return false;
          }
          return true;
        },
      ),
      { numRuns: 200 },
    );
  });

  it('puts the expected share of a 1e10 keyspace in the far tail (s = 0.99)', () => {
    // P(rank >= 1e9) = (H(1e10, s) - H(1e9, s)) / H(1e10, s); a collapsed tail would show here.
    const n = 1e10;
    const s = 0.99;
    const harmonic = (m: number) => {
      // Head exactly, then the Euler–Maclaurin tail (error far below the test's resolution).
      let h = 0;
      const head = Math.min(m, 10_000);
      for (let k = head; k >= 1; k--) h += Math.pow(k, -s);
      if (m > head) {
        const a = head + 1;
        h += (Math.pow(m, 1 - s) - Math.pow(a, 1 - s)) / (1 - s) + 0.5 * (Math.pow(a, -s) + Math.pow(m, -s));
      }
      return h;
    };
    const share = 1 - harmonic(1e9) / harmonic(n);
    const sampler = createRankSampler(zipf(s), n);
    const rng = new Rng(4);
    const draws = 200_000;
    let far = 0;
    for (let i = 0; i < draws; i++) if (sampler.sample(rng) >= 1e9) far++;
    const se = Math.sqrt(draws * share * (1 - share));
    expect(Math.abs(far - draws * share) / se).toBeLessThan(5);
  });
});

describe('uniform, hotset and sequential samplers', () => {
  it('uniform draws exactly rng.below(n)', () => {
    const n = 1e10;
    const sampler = createRankSampler({ type: 'uniform' }, n);
    const a = new Rng(6);
    const b = new Rng(6);
    for (let i = 0; i < 1000; i++) expect(sampler.sample(a)).toBe(b.below(n));
  });

  it('hotset sends hotWriteFraction of writes to the first round(f·n) ranks', () => {
    const n = 1_000_000;
    const dist: KeyDistribution = { type: 'hotset', hotKeyFraction: 0.05, hotWriteFraction: 0.8 };
    const h = 50_000;
    const sampler = createRankSampler(dist, n);
    const rng = new Rng(12);
    const draws = 100_000;
    let hot = 0;
    let coldSum = 0;
    let outside = 0;
    for (let i = 0; i < draws; i++) {
      const k = sampler.sample(rng);
      if (!(Number.isInteger(k) && k >= 0 && k < n)) outside++;
      if (k < h) hot++;
      else coldSum += k;
    }
    expect(outside).toBe(0);
    const se = Math.sqrt(draws * 0.8 * 0.2);
    expect(Math.abs(hot - draws * 0.8) / se).toBeLessThan(5);
    // Cold writes are uniform over [h, n): mean (h + n - 1) / 2.
    expect(relErr(coldSum / (draws - hot), (h + n - 1) / 2)).toBeLessThan(0.02);
  });

  it('hotset with every key hot is uniform over [0, n)', () => {
    // round(0.9 · 3) = 3 = n, so there is no cold set.
    const sampler = createRankSampler({ type: 'hotset', hotKeyFraction: 0.9, hotWriteFraction: 0.1 }, 3);
    const rng = new Rng(2);
    const counts = [0, 0, 0];
    for (let i = 0; i < 30_000; i++) counts[sampler.sample(rng)]!++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(5 * Math.sqrt(30_000 * (1 / 3) * (2 / 3)));
  });

  it('hotset keeps at least one hot key', () => {
    const sampler = createRankSampler({ type: 'hotset', hotKeyFraction: 1e-9, hotWriteFraction: 0.5 }, 100);
    const rng = new Rng(3);
    let zeros = 0;
    for (let i = 0; i < 10_000; i++) if (sampler.sample(rng) === 0) zeros++;
    // round(1e-7) = 0 is raised to 1: rank 0 alone is the hot set and takes half the writes.
    expect(Math.abs(zeros - 5000)).toBeLessThan(5 * 50);
  });

  it('sequential counts 0, 1, 2, ... wrapping at n and leaves the rng untouched', () => {
    const sampler = createRankSampler({ type: 'sequential' }, 4);
    const rng = new Rng(9);
    expect(Array.from({ length: 10 }, () => sampler.sample(rng))).toEqual([0, 1, 2, 3, 0, 1, 2, 3, 0, 1]);
    expect(rng.nextU32()).toBe(new Rng(9).nextU32());
    const big = createRankSampler({ type: 'sequential' }, 1e10);
    expect([big.sample(rng), big.sample(rng)]).toEqual([0, 1]);
  });

  it('rejects invalid parameters', () => {
    expect(() => createRankSampler({ type: 'uniform' }, 0)).toThrow(RangeError);
    expect(() => createRankSampler({ type: 'uniform' }, 2.5)).toThrow(RangeError);
    expect(() => createRankSampler({ type: 'uniform' }, 2 ** 53 + 2)).toThrow(RangeError);
    expect(() => createRankSampler(zipf(0), 10)).toThrow(RangeError);
    expect(() => createRankSampler(zipf(-1), 10)).toThrow(RangeError);
    expect(() => createRankSampler(zipf(NaN), 10)).toThrow(RangeError);
    for (const [f, w] of [
      [0, 0.5],
      [1, 0.5],
      [0.5, 0],
      [0.5, 1],
      [NaN, 0.5],
    ] as const) {
      expect(() => createRankSampler({ type: 'hotset', hotKeyFraction: f, hotWriteFraction: w }, 10)).toThrow(
        RangeError,
      );
    }
    expect(() => createRankSampler({ type: 'bogus' } as unknown as KeyDistribution, 10)).toThrow(RangeError);
    expect(() => expectedDistinctKeys(zipf(1), 10, -1)).toThrow(RangeError);
    expect(() => expectedDistinctKeys(zipf(1), 10, NaN)).toThrow(RangeError);
  });
});

const writesGrid = [1, 1.5, 10, 1000, 1e5, 1e7, 1e9];

describe('expectedDistinctKeys', () => {
  it.each([1e5, 1e6])('matches the brute-force sum for zipf at n = %d across s and W', (n) => {
    for (const s of [0.2, 0.5, 0.99, 1, 1.01, 1.5, 2, 3]) {
      const p = zipfPmf(n, s);
      for (const w of writesGrid) {
        const exact = bruteDistinct(p, w);
        // The spec asks for 0.1%; the head-plus-quadrature sum does far better.
        expect(relErr(expectedDistinctKeys(zipf(s), n, w), exact), `s=${s} W=${w}`).toBeLessThan(1e-6);
      }
    }
  });

  it('is exact for zipf keyspaces that fit in the summed head, and across the head boundary', () => {
    for (const n of [1, 2, 10, 256, 257, 300, 1000, 5000]) {
      for (const s of [0.3, 1, 4]) {
        const p = zipfPmf(n, s);
        for (const w of [2, 100, 1e6]) {
          const tol = n <= 256 ? 1e-12 : 1e-7;
          expect(relErr(expectedDistinctKeys(zipf(s), n, w), bruteDistinct(p, w)), `n=${n} s=${s} W=${w}`).toBeLessThan(
            tol,
          );
        }
      }
    }
  });
});

describe('expectedDistinctKeys for other loads and edges', () => {
  it('uniform closed form matches the brute-force sum', () => {
    for (const n of [1, 7, 1000, 100_000]) {
      const p = new Float64Array(n).fill(1 / n);
      for (const w of writesGrid) {
        expect(relErr(expectedDistinctKeys({ type: 'uniform' }, n, w), bruteDistinct(p, w))).toBeLessThan(1e-9);
      }
    }
    // Coupon collector at W = n: n·(1 − (1 − 1/n)^n) ≈ n·(1 − 1/e).
    expect(relErr(expectedDistinctKeys({ type: 'uniform' }, 1e10, 1e10), 1e10 * (1 - Math.exp(-1)))).toBeLessThan(1e-9);
  });

  it('hotset closed form matches the brute-force sum', () => {
    for (const [n, f, hw] of [
      [100_000, 0.01, 0.9],
      [100_000, 0.2, 0.5],
      [1000, 0.999, 0.3], // h = n: no cold set
      [50, 1e-6, 0.7], // h clamped up to 1
    ] as const) {
      const dist: KeyDistribution = { type: 'hotset', hotKeyFraction: f, hotWriteFraction: hw };
      const p = hotsetPmf(n, f, hw);
      for (const w of writesGrid) {
        expect(relErr(expectedDistinctKeys(dist, n, w), bruteDistinct(p, w)), `n=${n} f=${f} W=${w}`).toBeLessThan(1e-9);
      }
    }
  });

  it('sequential touches min(W, n) keys', () => {
    expect(expectedDistinctKeys({ type: 'sequential' }, 100, 37.5)).toBe(37.5);
    expect(expectedDistinctKeys({ type: 'sequential' }, 100, 1e6)).toBe(100);
  });

  it('handles W = 0, fractional W below 1, and W = Infinity', () => {
    const dists: KeyDistribution[] = [
      { type: 'uniform' },
      zipf(0.7),
      { type: 'hotset', hotKeyFraction: 0.1, hotWriteFraction: 0.9 },
      { type: 'sequential' },
    ];
    for (const d of dists) {
      expect(expectedDistinctKeys(d, 1e6, 0)).toBe(0);
      // A fraction of one write touches that fraction of a key, never more.
      expect(expectedDistinctKeys(d, 1e6, 0.25)).toBe(0.25);
      expect(expectedDistinctKeys(d, 1e6, Infinity)).toBe(1e6);
    }
  });
});

describe('expectedDistinctKeys at scale and against simulated runs', () => {
  it('is fast enough at n = 1e10 to give finite, sensible values for every exponent', () => {
    for (const s of [0.2, 0.99, 1, 1.5, 3, 5]) {
      let prev = 0;
      for (const w of [1, 10, 1e3, 1e6, 1e9, 1e12, 1e15]) {
        const e = expectedDistinctKeys(zipf(s), 1e10, w);
        expect(Number.isFinite(e)).toBe(true);
        expect(e).toBeGreaterThanOrEqual(prev);
        expect(e).toBeLessThanOrEqual(Math.min(w, 1e10));
        prev = e;
      }
    }
  });

  it('is non-decreasing in W and never exceeds min(W, n) (property)', () => {
    const distArb: fc.Arbitrary<KeyDistribution> = fc.oneof(
      fc.constant<KeyDistribution>({ type: 'uniform' }),
      fc.constant<KeyDistribution>({ type: 'sequential' }),
      fc.double({ min: 0.05, max: 5, noNaN: true }).map((s) => zipf(s)),
      fc
        .tuple(fc.double({ min: 1e-6, max: 0.999, noNaN: true }), fc.double({ min: 0.001, max: 0.999, noNaN: true }))
        .map(([f, w]): KeyDistribution => ({ type: 'hotset', hotKeyFraction: f, hotWriteFraction: w })),
    );
    const nArb = fc.oneof(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 1e10 }));
    const wArb = fc.oneof(fc.double({ min: 0, max: 10, noNaN: true }), fc.double({ min: 0, max: 1e12, noNaN: true }));
    fc.assert(
      fc.property(distArb, nArb, wArb, wArb, (dist, n, w1, w2) => {
        const [lo, hi] = w1 <= w2 ? [w1, w2] : [w2, w1];
        const eLo = expectedDistinctKeys(dist, n, lo);
        const eHi = expectedDistinctKeys(dist, n, hi);
        const slack = 1e-12 * Math.max(1, eHi);
        return eLo >= 0 && eLo <= eHi + slack && eHi <= Math.min(hi, n);
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with simulated runs: zipf n = 1e5, s = 0.99, W = 5e4', () => {
    const n = 100_000;
    const writes = 50_000;
    const seen = new Uint8Array(n);
    let total = 0;
    for (let run = 1; run <= 5; run++) {
      seen.fill(0);
      const sampler = createRankSampler(zipf(0.99), n);
      const rng = new Rng(1000 + run);
      let distinct = 0;
      for (let i = 0; i < writes; i++) {
        const k = sampler.sample(rng);
        if (seen[k] === 0) {
          seen[k] = 1;
          distinct++;
        }
      }
      total += distinct;
    }
    expect(relErr(total / 5, expectedDistinctKeys(zipf(0.99), n, writes))).toBeLessThan(0.01);
  });

  it('agrees with simulated runs for a hot set on a 1e10 keyspace', () => {
    // Every hot key is written many times over; the cold side is almost all singletons.
    const n = 1e10;
    const dist: KeyDistribution = { type: 'hotset', hotKeyFraction: 1e-7, hotWriteFraction: 0.9 };
    const writes = 20_000;
    const sampler = createRankSampler(dist, n);
    const rng = new Rng(5);
    const seen = new Set<number>();
    for (let i = 0; i < writes; i++) seen.add(sampler.sample(rng));
    expect(relErr(seen.size, expectedDistinctKeys(dist, n, writes))).toBeLessThan(0.02);
  });
});

describe('zipfDistinctKeysTable', () => {
  it('gives expectedDistinctKeys and, to the digits a central difference resolves, its slope in the writes', () => {
    for (const [n, s] of [[16_000_000, 1.3], [1e9, 0.99], [50_000, 1.5], [200, 1.1]] as const) {
      const writes = new Float64Array([0.5, 1, 2, 10, 1000, 1e5, 1e7, 1e9]);
      const table = zipfDistinctKeysTable(n, s, writes);
      writes.forEach((w, i) => {
        expect(table.keys[i]).toBe(expectedDistinctKeys(zipf(s), n, w));
        if (w <= 1) return; // the count is the writes up to 1, a kink there
        const h = w * 1e-4;
        const central = (expectedDistinctKeys(zipf(s), n, w + h) - expectedDistinctKeys(zipf(s), n, w - h)) / (2 * h);
        expect(Math.abs(table.slopes[i]! - central)).toBeLessThanOrEqual(1e-8 * Math.max(central, 1e-3));
      });
    }
  });
});

describe('tableExp', () => {
  it('agrees with Math.exp to within 2 ulp over the fast range and falls back outside it', () => {
    const rng = new Rng(17);
    let worst = 0;
    for (let i = 0; i < 200_000; i++) {
      const y = -40 + 80 * rng.next();
      const exact = Math.exp(y);
      worst = Math.max(worst, Math.abs(tableExp(y) - exact) / exact);
    }
    expect(worst).toBeLessThan(2 * 2 ** -52);
    expect(tableExp(0)).toBe(1);
    for (const y of [-745, -40, 40, 88.5, 709, Infinity, -Infinity]) expect(tableExp(y)).toBe(Math.exp(y));
    expect(tableExp(NaN)).toBeNaN();
  });
});
