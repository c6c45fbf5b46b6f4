// Which key ranks a write load touches: uniform, Zipf, hot-set and sequential access patterns
// over ranks [0, n), rank 0 the most written. Zipf sampling is rejection-inversion (Hörmann &
// Derflinger 1996, as in Apache Commons RNG's RejectionInversionZipfSampler); the expected
// number of distinct keys sums the Zipf head exactly and the tail by Euler–Maclaurin.

import type { Rng } from './rng.js';

export type KeyDistribution =
  | { type: 'uniform' }
  | { type: 'zipf'; exponent: number }
  | { type: 'hotset'; hotKeyFraction: number; hotWriteFraction: number }
  | { type: 'sequential' };

export interface RankSampler {
  /** A rank in [0, n). */
  sample(rng: Rng): number;
}

const MAX_N = 9007199254740992; // 2^53: Rng.below's limit and the end of exact integers.

export function createRankSampler(dist: KeyDistribution, n: number): RankSampler {
  checkN(n);
  switch (dist.type) {
    case 'uniform':
      return new UniformSampler(n);
    case 'zipf':
      checkExponent(dist.exponent);
      return new ZipfSampler(n, dist.exponent);
    case 'hotset': {
      checkHotset(dist.hotKeyFraction, dist.hotWriteFraction);
      return new HotsetSampler(n, hotCount(dist.hotKeyFraction, n), dist.hotWriteFraction);
    }
    case 'sequential':
      return new SequentialSampler(n);
    default:
      return unknownDistribution(dist);
  }
}

/**
 * Expected number of distinct ranks among `writes` independent samples:
 * Σ_k 1 − (1 − p_k)^W. `writes` is a real number; for W < 1 the value is interpolated
 * linearly towards 0 (the power formula would exceed W there), so the result always lies in
 * [0, min(W, n)] and is non-decreasing in W. Sequential loads are deterministic: min(W, n).
 */
export function expectedDistinctKeys(dist: KeyDistribution, n: number, writes: number): number {
  return expectedDistinctKeysCurve(dist, n)(writes);
}

/**
 * expectedDistinctKeys as a function of the writes, for one distribution and n: what does not
 * depend on the writes (the Zipf sum's terms above all) is computed once.
 */
export function expectedDistinctKeysCurve(dist: KeyDistribution, n: number): (writes: number) => number {
  checkN(n);
  let expected: (writes: number) => number;
  switch (dist.type) {
    case 'uniform': {
      const log1mp = Math.log1p(-1 / n);
      expected = (writes) => n * touched(log1mp, writes);
      break;
    }
    case 'zipf':
      checkExponent(dist.exponent);
      expected = zipfDistinctCurve(n, dist.exponent);
      break;
    case 'hotset': {
      checkHotset(dist.hotKeyFraction, dist.hotWriteFraction);
      const h = hotCount(dist.hotKeyFraction, n);
      const pw = dist.hotWriteFraction;
      if (h === n) {
        const log1mp = Math.log1p(-1 / n);
        expected = (writes) => n * touched(log1mp, writes);
      } else {
        const hotLog1mp = Math.log1p(-(pw / h));
        const coldLog1mp = Math.log1p(-((1 - pw) / (n - h)));
        expected = (writes) => h * touched(hotLog1mp, writes) + (n - h) * touched(coldLog1mp, writes);
      }
      break;
    }
    case 'sequential':
      expected = (writes) => Math.min(writes, n);
      break;
    default:
      return unknownDistribution(dist);
  }
  const exact = dist.type === 'sequential';
  return (writes) => {
    if (!(writes >= 0)) throw new RangeError(`writes must be >= 0, got ${writes}`);
    if (writes === Infinity) return n;
    if (exact || writes <= 1) return Math.min(writes, n);
    // The exact value never exceeds min(W, n); clamping absorbs rounding in the sums.
    return Math.min(expected(writes), writes, n);
  };
}

// ---------------------------------------------------------------------------------------------
// Samplers

class UniformSampler implements RankSampler {
  private readonly n: number;
  constructor(n: number) {
    this.n = n;
  }
  sample(rng: Rng): number {
    return rng.below(this.n);
  }
}

class HotsetSampler implements RankSampler {
  private readonly hot: number;
  private readonly cold: number;
  private readonly hotWriteFraction: number;
  constructor(n: number, hot: number, hotWriteFraction: number) {
    this.hot = hot;
    this.cold = n - hot;
    // With no cold keys every write is hot.
    this.hotWriteFraction = this.cold === 0 ? 1 : hotWriteFraction;
  }
  sample(rng: Rng): number {
    return rng.next() < this.hotWriteFraction ? rng.below(this.hot) : this.hot + rng.below(this.cold);
  }
}

class SequentialSampler implements RankSampler {
  private readonly n: number;
  private next: number;
  constructor(n: number) {
    this.n = n;
    this.next = 0;
  }
  sample(_rng: Rng): number {
    const k = this.next;
    this.next = k + 1 === this.n ? 0 : k + 1;
    return k;
  }
}

/**
 * Rejection-inversion over k in [1, n] with hat h(x) = x^-s and its integral
 * H(x) = (x^(1-s) - 1) / (1 - s), which tends to ln x as s -> 1, so one formula covers all s > 0.
 * A uniform u on (H(1.5) - 1, H(n + 0.5)] is inverted to x; k = round(x) is accepted if it
 * passes the cheap squeeze k - x <= squeeze or the exact test u >= H(k + 0.5) - h(k).
 */
class ZipfSampler implements RankSampler {
  private readonly n: number;
  private readonly exponent: number;
  private readonly oneMinusS: number;
  private readonly invOneMinusS: number;
  private readonly hN: number; // H(n + 0.5)
  private readonly span: number; // H(1.5) - 1 - H(n + 0.5), negative
  private readonly squeeze: number; // 2 - H^-1(H(2.5) - h(2))

  constructor(n: number, exponent: number) {
    this.n = n;
    this.exponent = exponent;
    this.oneMinusS = 1 - exponent;
    this.invOneMinusS = 1 / this.oneMinusS; // Infinity at s = 1, where it is never used
    const hX1 = this.hIntegral(1.5) - 1;
    this.hN = this.hIntegral(n + 0.5);
    this.span = hX1 - this.hN;
    this.squeeze = 2 - this.hIntegralInverse(this.hIntegral(2.5) - Math.pow(2, -exponent));
  }

  sample(rng: Rng): number {
    for (;;) {
      const u = this.hN + rng.next() * this.span;
      const x = this.hIntegralInverse(u);
      let k = Math.floor(x + 0.5);
      // Rounding can push x a hair outside [0.5, n + 0.5].
      if (k < 1) k = 1;
      else if (k > this.n) k = this.n;
      if (k - x <= this.squeeze || this.accepts(u, k)) return k - 1;
    }
  }

  // The exact acceptance test, reached by a few percent of draws; kept out of line so the
  // common path stays compact.
  private accepts(u: number, k: number): boolean {
    return u >= this.hIntegral(k + 0.5) - Math.exp(-this.exponent * Math.log(k));
  }

  // H(x) = expm1((1-s)·ln x) / (1-s): the expm1 form stays exact as s -> 1, where
  // x^(1-s) - 1 would cancel.
  private hIntegral(x: number): number {
    const logX = Math.log(x);
    return expm1OverX(this.oneMinusS * logX) * logX;
  }

  // H^-1(u) = exp(log1p((1-s)·u) / (1-s)), likewise stable near s = 1 (log1p is exact for tiny
  // arguments); at s = 1 exactly it is exp(u).
  private hIntegralInverse(u: number): number {
    let t = u * this.oneMinusS;
    // For s > 1, rounding can carry u to 1/(s-1); log1p(-1) = -Inf then maps to x = +Inf,
    // which is clamped to n.
    if (t < -1) t = -1;
    return tableExp(t === 0 ? u : Math.log1p(t) * this.invOneMinusS);
  }
}

// (e^x - 1)/x with its limit 1 at x = 0.
function expm1OverX(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.expm1(x) / x : 1 + x * 0.5 * (1 + (x / 3) * (1 + 0.25 * x));
}

// exp(y) = 2^(k/32) · e^r with |r| <= ln2/64 and a degree-6 polynomial for e^r (Tang's
// table-driven method, ACM TOMS 1989): within 1 ulp of Math.exp, and a third of its cost on
// the sampler's random arguments, where V8's out-of-line exp mispredicts branches.
const LN2_HI_OVER_32 = 6.93147180369123816490e-1 / 32; // high bits of ln 2 (fdlibm), exact in k·x
const LN2_LO_OVER_32 = 1.90821492927058770002e-10 / 32;
const INV_LN2_TIMES_32 = 32 / Math.LN2;
const ROUND_MAGIC = 6755399441055744; // 1.5·2^52: adding and subtracting rounds to nearest, branch-free
const EXP_FRACTION = new Float64Array(32); // 2^(j/32)
const EXP_POW2 = new Float64Array(129); // 2^e for e in [-64, 64]
for (let j = 0; j < 32; j++) EXP_FRACTION[j] = Math.pow(2, j / 32);
for (let e = -64; e <= 64; e++) EXP_POW2[e + 64] = Math.pow(2, e);

/** @internal exp(y) for the sampler; exported for its accuracy test. */
export function tableExp(y: number): number {
  if (!(y > -40 && y < 40)) return Math.exp(y); // also NaN and ±Infinity
  const kf = y * INV_LN2_TIMES_32 + ROUND_MAGIC - ROUND_MAGIC;
  const r = y - kf * LN2_HI_OVER_32 - kf * LN2_LO_OVER_32;
  const k = kf | 0;
  const scale = (EXP_FRACTION[k & 31] as number) * (EXP_POW2[(k >> 5) + 64] as number);
  const p = r + r * r * (0.5 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (1 / 720)))));
  return scale + scale * p;
}

// ---------------------------------------------------------------------------------------------
// Expected distinct keys

// Ranks summed term by term. Past them a term changes by at most s/256 of itself per rank, so
// Euler–Maclaurin to the first derivative term is exact to well below the ~1e-8 relative error
// of the Simpson integral, which is what limits the total.
const ZIPF_HEAD = 256;

// Simpson intervals per unit of ln x (per unit of s when s > 1, as the profile steepens).
const SIMPSON_PER_LOG_UNIT = 24;

// Below −56·ln 2 fdlibm's expm1 (V8's Math.expm1) returns −1 exactly: a rank surely written
// adds exactly 1 without it.
const SURELY_TOUCHED = -39;

/**
 * The Zipf expected distinct keys and their derivative in the writes at each of `writes`, for a
 * table to interpolate with cubic Hermite: one pass over the sum's terms gives both. Values are
 * those of expectedDistinctKeys, clamped alike.
 */
export function zipfDistinctKeysTable(n: number, exponent: number, writes: Float64Array): { keys: Float64Array; slopes: Float64Array } {
  checkN(n);
  checkExponent(exponent);
  const curve = zipfDistinctCurve(n, exponent);
  const keys = new Float64Array(writes.length);
  const slopes = new Float64Array(writes.length);
  const slope = new Float64Array(1);
  for (let i = 0; i < writes.length; i++) {
    const w = writes[i]!;
    if (!(w >= 0 && w < Infinity)) throw new RangeError(`writes must be finite and >= 0, got ${w}`);
    // Up to one write the count is the writes (see expectedDistinctKeysCurve); from 1 on the
    // slope is the sum's, which is what a table starting at 1 needs.
    if (w < 1 || n === 1) {
      keys[i] = Math.min(w, n);
      slopes[i] = w < n ? 1 : 0;
      continue;
    }
    const value = curve(w, slope);
    keys[i] = w === 1 ? 1 : Math.min(value, w, n);
    // The clamp to W binds only by rounding (the sum is 1 at W = 1 and rises more slowly); at n, nothing more is reached.
    slopes[i] = keys[i]! < n ? slope[0]! : 0;
  }
  return { keys, slopes };
}

/**
 * P(a key of per-write probability p is written at least once in W writes), from log(1 − p):
 * that part does not depend on the writes, so a curve computes it once.
 */
function touched(log1mp: number, writes: number): number {
  const y = writes * log1mp;
  return y < SURELY_TOUCHED ? 1 : -Math.expm1(y);
}

/** d/dW of touched(log1mp, W): −log(1 − p)·(1 − p)^W, 0 where touched is exactly 1. */
function touchedSlope(log1mp: number, writes: number): number {
  const y = writes * log1mp;
  return y < SURELY_TOUCHED ? 0 : -log1mp * Math.exp(y);
}

/**
 * The Zipf sum as a function of the writes. Every term's log(1 − p) and every Simpson node
 * depends on n and s alone, so they are computed once for a curve read at many write counts;
 * each value is the one the sum gives term by term.
 */
function zipfDistinctCurve(n: number, s: number): (writes: number, slopeOut?: Float64Array) => number {
  const head = Math.min(n, ZIPF_HEAD);
  const headPow = new Float64Array(head);

  // Generalised harmonic number H(n, s): head exactly, tail by Euler–Maclaurin with the
  // integral in closed form.
  let harmonic = 0;
  for (let k = head; k >= 1; k--) {
    const v = Math.exp(-s * Math.log(k));
    headPow[k - 1] = v;
    harmonic += v; // smallest terms first
  }
  const a = head + 1;
  const b = n;
  if (b >= a) {
    const logRatio = Math.log(b / a);
    const aPow = Math.exp(-s * Math.log(a));
    const bPow = Math.exp(-s * Math.log(b));
    const integral = a * aPow * expm1OverX((1 - s) * logRatio) * logRatio;
    // Derivative corrections: B2/2! (g'(b) - g'(a)) - B4/4! (g'''(b) - g'''(a)) for g = x^-s.
    const d1 = (-s * bPow) / b - (-s * aPow) / a;
    const c3 = -s * (s + 1) * (s + 2);
    const d3 = (c3 * bPow) / (b * b * b) - (c3 * aPow) / (a * a * a);
    harmonic += integral + 0.5 * (aPow + bPow) + d1 / 12 - d3 / 720;
  }
  const invH = 1 / harmonic;
  // In summation order, k = head … 1 (smallest terms first).
  const headLog = new Float64Array(head);
  for (let k = head; k >= 1; k--) headLog[head - k] = Math.log1p(-(headPow[k - 1]! * invH));
  // Each term's derivative in W is −log(1 − p)·(1 − p)^W = −log(1 − p)·(1 − touched): no
  // further exp, and 0 where touched is exactly 1.
  const headSum = (writes: number, slopeOut?: Float64Array) => {
    let sum = 0;
    let slope = 0;
    for (let i = 0; i < head; i++) {
      const l = headLog[i]!;
      const t = touched(l, writes);
      sum += t;
      slope -= l * (1 - t);
    }
    if (slopeOut) slopeOut[0] = slope;
    return sum;
  };
  if (b < a) return headSum;

  // ∫_a^b f(x) dx on u = ln x, where f(e^u)·e^u is smooth and slowly varying.
  const lnA = Math.log(a);
  const lnB = Math.log(b);
  const length = lnB - lnA;
  let intervals = Math.ceil(length * SIMPSON_PER_LOG_UNIT * Math.max(1, s));
  if (intervals < 2) intervals = 2;
  if (intervals % 2 === 1) intervals++;
  const step = length / intervals;
  const nodeX = new Float64Array(intervals + 1);
  const nodeLog = new Float64Array(intervals + 1);
  const nodeWeight = new Float64Array(intervals + 1);
  for (let i = 0; i <= intervals; i++) {
    const u = i === intervals ? lnB : lnA + i * step;
    nodeX[i] = Math.exp(u);
    nodeLog[i] = Math.log1p(-(Math.exp(-s * u) * invH));
    nodeWeight[i] = i === 0 || i === intervals ? 1 : i % 2 === 1 ? 4 : 2;
  }
  const fa = zipfTailTerm(a, s, invH);
  const fb = zipfTailTerm(b, s, invH);

  return (writes, slopeOut) => {
    let sum = 0;
    let slope = 0;
    for (let i = 0; i <= intervals; i++) {
      const l = nodeLog[i]!;
      const t = touched(l, writes);
      const wx = nodeWeight[i]! * nodeX[i]!;
      sum += wx * t;
      slope -= wx * l * (1 - t);
    }
    const integral = (sum * step) / 3;
    const tail = integral + 0.5 * (fa.value(writes) + fb.value(writes)) + (fb.slope(writes) - fa.slope(writes)) / 12;
    const headValue = headSum(writes, slopeOut);
    if (slopeOut) {
      const tailSlope = (slope * step) / 3 + 0.5 * (fa.valueSlope(writes) + fb.valueSlope(writes)) + (fb.slopeSlope(writes) - fa.slopeSlope(writes)) / 12;
      slopeOut[0] = slopeOut[0]! + tailSlope;
    }
    return headValue + tail;
  };
}

interface ZipfTailTerm {
  value: (writes: number) => number;
  slope: (writes: number) => number;
  /** Their derivatives in W. */
  valueSlope: (writes: number) => number;
  slopeSlope: (writes: number) => number;
}

/** f(x) = 1 − (1 − p(x))^W with p(x) = x^-s / H, and its derivative f'(x), as functions of W. */
function zipfTailTerm(x: number, s: number, invH: number): ZipfTailTerm {
  const p = Math.exp(-s * Math.log(x)) * invH;
  const log1mp = Math.log1p(-p);
  const c = (s * p) / (x * (1 - p));
  return {
    value: (writes) => touched(log1mp, writes),
    valueSlope: (writes) => touchedSlope(log1mp, writes),
    // d/dW of the slope below: −c·(1 − p)^W·(1 + W·log(1 − p)).
    slopeSlope: (writes) => -c * Math.exp(writes * log1mp) * (1 + writes * log1mp),
    // d/dx (1 − (1 − p)^W) = (1 − p)^(W−1) · W · (−p') with p' = −s·p/x.
    slope: (writes) => (-Math.exp(writes * log1mp) * writes * s * p) / (x * (1 - p)),
  };
}

// ---------------------------------------------------------------------------------------------
// Validation

function checkN(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > MAX_N) {
    throw new RangeError(`key count n must be an integer in [1, 2^53], got ${n}`);
  }
}

function checkExponent(s: number): void {
  if (!(s > 0 && s < Infinity)) throw new RangeError(`zipf exponent must be > 0, got ${s}`);
}

function checkHotset(hotKeyFraction: number, hotWriteFraction: number): void {
  if (!(hotKeyFraction > 0 && hotKeyFraction < 1)) {
    throw new RangeError(`hotKeyFraction must be in (0, 1), got ${hotKeyFraction}`);
  }
  if (!(hotWriteFraction > 0 && hotWriteFraction < 1)) {
    throw new RangeError(`hotWriteFraction must be in (0, 1), got ${hotWriteFraction}`);
  }
}

function hotCount(hotKeyFraction: number, n: number): number {
  return Math.max(1, Math.round(hotKeyFraction * n));
}

function unknownDistribution(dist: never): never {
  throw new RangeError(`unknown key distribution ${JSON.stringify(dist)}`);
}
