// Seeded pseudo-random numbers for reproducible simulations: xoshiro128** (Blackman & Vigna,
// "Scrambled linear pseudorandom number generators", 2018) with its four 32-bit state words
// filled by splitmix32. Bounded integers use Lemire's multiply-shift with rejection
// ("Fast random integer generation in an interval", 2019).

const TWO_POW_32 = 4294967296;
const TWO_POW_NEG_32 = 1 / TWO_POW_32;
const TWO_POW_26 = 67108864;
const TWO_POW_53 = 9007199254740992;
const TWO_POW_NEG_53 = 1 / TWO_POW_53;

export class Rng {
  // State words as int32 values; every update is a 32-bit integer operation.
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** `seed` is any integer with |seed| <= 2^53; equal seeds give identical sequences. */
  constructor(seed: number) {
    if (!Number.isInteger(seed) || Math.abs(seed) > TWO_POW_53) {
      throw new RangeError(`Rng seed must be an integer with |seed| <= 2^53, got ${seed}`);
    }
    // Two's-complement split into 32-bit words: every allowed integer gives a distinct pair.
    const lo = seed >>> 0;
    const hi = Math.floor(seed / TWO_POW_32) >>> 0;

    let a = lo | 0;
    a = (a + 0x9e3779b9) | 0;
    let s0 = mix32a(a);
    a = (a + 0x9e3779b9) | 0;
    let s1 = mix32a(a);
    a = (a + 0x9e3779b9) | 0;
    let s2 = mix32a(a);
    a = (a + 0x9e3779b9) | 0;
    let s3 = mix32a(a);

    if (hi !== 0) {
      // A second, differently mixed stream from the high word is xored in: the full seed then
      // shapes all 128 state bits instead of colliding inside a single 32-bit splitmix state.
      let b = hi | 0;
      b = (b + 0x6a09e667) | 0;
      s0 ^= mix32b(b);
      b = (b + 0x6a09e667) | 0;
      s1 ^= mix32b(b);
      b = (b + 0x6a09e667) | 0;
      s2 ^= mix32b(b);
      b = (b + 0x6a09e667) | 0;
      s3 ^= mix32b(b);
    }
    // xoshiro's only fixed point; unreachable in practice, but cheap to rule out.
    if ((s0 | s1 | s2 | s3) === 0) s0 = 1;

    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    this.s3 = s3;
  }

  /**
   * A generator started from explicit xoshiro128** state words (each taken mod 2^32, not all
   * zero), e.g. to reproduce the reference implementation's published output.
   */
  static fromState(s0: number, s1: number, s2: number, s3: number): Rng {
    if (![s0, s1, s2, s3].every(Number.isInteger) || (s0 | s1 | s2 | s3) === 0) {
      throw new RangeError('xoshiro128** state must be four integers, not all zero mod 2^32');
    }
    const rng = new Rng(0);
    rng.s0 = s0 | 0;
    rng.s1 = s1 | 0;
    rng.s2 = s2 | 0;
    rng.s3 = s3 | 0;
    return rng;
  }

  /** Uniform integer in [0, 2^32). */
  nextU32(): number {
    const s0 = this.s0;
    const s1 = this.s1;
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9);
    const t = s1 << 9;
    const s2 = this.s2 ^ s0;
    const s3 = this.s3 ^ s1;
    this.s1 = s1 ^ s2;
    this.s0 = s0 ^ s3;
    this.s2 = s2 ^ t;
    this.s3 = (s3 << 11) | (s3 >>> 21);
    return result >>> 0;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  next(): number {
    const a = this.nextU32() >>> 5;
    const b = this.nextU32() >>> 6;
    return (a * TWO_POW_26 + b) * TWO_POW_NEG_53;
  }

  /** Uniform integer in [0, n) for an integer 1 <= n <= 2^53, without bias. */
  below(n: number): number {
    if (n <= TWO_POW_32 && n >= 1 && n === Math.floor(n)) {
      if (n === TWO_POW_32) return this.nextU32();
      // Lemire: the high word of x*n is the result; rejecting low words under 2^32 mod n
      // removes the bias. The low word is exact via imul; the high word is recovered exactly
      // because the double product is within 2^12 of the true value. floor(v + 0.5) rather
      // than Math.round, which V8 compiles to a branch that mispredicts on this input.
      const n32 = n >>> 0;
      let x = this.nextU32();
      let low = Math.imul(x, n32) >>> 0;
      if (low < n32) {
        const threshold = (-n32 >>> 0) % n32; // 2^32 mod n
        while (low < threshold) {
          x = this.nextU32();
          low = Math.imul(x, n32) >>> 0;
        }
      }
      return Math.floor((x * n32 - low) * TWO_POW_NEG_32 + 0.5);
    }
    return this.belowLarge(n);
  }

  // Kept out of below() so the common 32-bit path stays small enough to inline.
  private belowLarge(n: number): number {
    if (!(n > TWO_POW_32 && n <= TWO_POW_53 && n === Math.floor(n))) {
      throw new RangeError(`below(n) needs an integer 1 <= n <= 2^53, got ${n}`);
    }
    // High word uniform over m = ceil(n / 2^32) blocks, low word a full draw, reject r >= n:
    // exact, and accepts with probability n / (m * 2^32) > 1/2.
    const m = Math.ceil(n * TWO_POW_NEG_32);
    const threshold = (-m >>> 0) % m; // 2^32 mod m
    for (;;) {
      let x = this.nextU32();
      let low = Math.imul(x, m) >>> 0;
      while (low < threshold) {
        x = this.nextU32();
        low = Math.imul(x, m) >>> 0;
      }
      // m <= 2^21, so x * m < 2^53 is exact.
      const r = Math.floor(x * m * TWO_POW_NEG_32) * TWO_POW_32 + this.nextU32();
      if (r < n) return r;
    }
  }
}

// splitmix32 output function (Wellons' "lowbias32" constants).
function mix32a(z: number): number {
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return z ^ (z >>> 15);
}

// MurmurHash3 fmix32: a different bijection, so the two seed streams cannot cancel each other.
function mix32b(z: number): number {
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return z ^ (z >>> 16);
}
