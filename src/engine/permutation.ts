// A seeded pseudo-random bijection on [0, n) for n up to 2^32: an invertible integer mixer
// (xor-shift, multiply by an odd constant, add — each a bijection on k-bit words) on the
// smallest power-of-two domain holding n, cycle-walking values that fall outside. It scatters
// hot ranks over memory, and orders the child's save, the way a hash table does: at random,
// without the lattice a multiplicative map mod n would leave.

const MAX_SIZE = 2 ** 32;

function mix32(x: number): number {
  let h = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

export class Permutation {
  private readonly mask: number;
  private readonly shift: number;
  private readonly salt: number;
  private readonly offset: number;

  constructor(
    readonly size: number,
    seed: number,
  ) {
    if (!(size >= 1 && size <= MAX_SIZE)) throw new RangeError(`permutation size must be 1..2^32, got ${size}`);
    let bits = 1;
    while (2 ** bits < size) bits++;
    this.mask = bits >= 32 ? 0xffffffff : 2 ** bits - 1;
    this.shift = Math.max(1, Math.ceil(bits / 2));
    this.salt = mix32(seed >>> 0) & this.mask;
    this.offset = mix32((seed >>> 0) ^ 0x2545f491) & this.mask;
  }

  apply(value: number): number {
    let x = value;
    do {
      x = this.mix(x);
    } while (x >= this.size);
    return x;
  }

  private mix(value: number): number {
    const mask = this.mask;
    const shift = this.shift;
    let x = (value ^ this.salt) & mask;
    x = (x ^ (x >>> shift)) & mask;
    x = Math.imul(x, 0x2c1b3c6d) & mask;
    x = (x ^ (x >>> shift)) & mask;
    x = Math.imul(x, 0x297a2d39) & mask;
    x = (x ^ (x >>> shift)) & mask;
    return ((x + this.offset) & mask) >>> 0;
  }
}
