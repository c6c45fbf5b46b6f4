// What the load's writes do to a keyspace. An overwrite rewrites a key's value (MODEL.md §3)
// and so dirties the pages it sits on; an insert or a delete rewrites one bucket of the hash
// table, and an insert also adds a key's allocations to the parent. How many distinct keys the
// overwrites reach follows from the key distribution: computed here once, for the stepping
// timeline and for the fork cost alike.

import { expectedDistinctKeys, expectedDistinctKeysCurve, zipfDistinctKeysTable, type KeyDistribution } from './key-distribution.js';

export interface WriteMix {
  keys: number;
  distribution: KeyDistribution;
  /** The writes walk keys in insertion (address) order: the written keys are one contiguous run. */
  sequential: boolean;
  /** Shares of the writes, summing to 1. */
  overwriteShare: number;
  insertShare: number;
  deleteShare: number;
  /** Inserts and deletes: each rewrites one bucket of the hash table. */
  bucketShare: number;
}

export interface WriteMixOptions {
  keys: number;
  distribution: KeyDistribution;
  newKeyFraction: number;
  deleteFraction: number;
}

export function writeMix({ keys, distribution, newKeyFraction, deleteFraction }: WriteMixOptions): WriteMix {
  return {
    keys,
    distribution,
    sequential: distribution.type === 'sequential',
    overwriteShare: 1 - newKeyFraction - deleteFraction,
    insertShare: newKeyFraction,
    deleteShare: deleteFraction,
    bucketShare: newKeyFraction + deleteFraction,
  };
}

/** Share of the keys overwritten at least once after `overwrites` overwrites. */
export function distinctShare(mix: WriteMix, overwrites: number): number {
  return mix.sequential
    ? Math.min(1, overwrites / mix.keys)
    : expectedDistinctKeys(mix.distribution, mix.keys, overwrites) / mix.keys;
}

/** distinctShare as a function of the overwrites, cheap enough to call at every step. */
export type DistinctShareCurve = (overwrites: number) => number;

/**
 * Grid points per unit of ln(overwrites) of the tabulated Zipf curve. The table is in
 * log–log space, where the curve is nearly a power law (slope 1 at first, 1/s down the Zipf
 * head, then falling as ranks saturate), and each point carries its exact slope: cubic Hermite
 * at this spacing stays within ~1e-6 of the local value, including the first overwrites, where
 * a table linear in the overwrites was off by tens of percent.
 */
const DISTINCT_CURVE_POINTS_PER_LOG_UNIT = 6;

/**
 * The Zipf sum is hundreds of terms, so from 1 to `maxOverwrites` it is tabulated once, with
 * its slopes, and interpolated by monotone cubic Hermite. Below 1 overwrite (exactly the
 * overwrites), past the table, and for the other distributions it is exact.
 */
export function distinctShareCurve(mix: WriteMix, maxOverwrites: number): DistinctShareCurve {
  const { keys, distribution: dist } = mix;
  if (mix.sequential) return (writes) => Math.min(1, writes / keys);
  const distinct = expectedDistinctKeysCurve(dist, keys);
  const exact = (writes: number) => distinct(writes) / keys;
  if (dist.type !== 'zipf' || !(maxOverwrites > 1)) return exact;
  const logMax = Math.log(maxOverwrites);
  const intervals = Math.max(4, Math.ceil(logMax * DISTINCT_CURVE_POINTS_PER_LOG_UNIT));
  const step = logMax / intervals;
  const grid = new Float64Array(intervals + 1);
  for (let i = 0; i <= intervals; i++) grid[i] = i === intervals ? maxOverwrites : Math.exp(i * step);
  const table = zipfDistinctKeysTable(keys, dist.exponent, grid);
  const shares = table.keys.map((v) => v / keys);
  // ln(distinct keys) over u = ln(overwrites), and its slope W·f'(W)/f(W).
  const logValues = table.keys.map(Math.log);
  const logSlopes = table.slopes.map((slope, i) => (grid[i]! * slope) / table.keys[i]!);
  // Hermite end slopes per interval (times its width), scaled back by Fritsch–Carlson where
  // they exceed 3× the secant so that no piece overshoots and the curve never decreases.
  const m0 = new Float64Array(intervals);
  const m1 = new Float64Array(intervals);
  for (let i = 0; i < intervals; i++) {
    const secant = (logValues[i + 1]! - logValues[i]!) / step;
    let a = logSlopes[i]!;
    let b = logSlopes[i + 1]!;
    if (!(secant > 0)) a = b = 0;
    else {
      const r = Math.hypot(a / secant, b / secant);
      if (r > 3) {
        a *= 3 / r;
        b *= 3 / r;
      }
    }
    m0[i] = a * step;
    m1[i] = b * step;
  }
  // A step reads the curve at the tracker's writes and again for the fault cost at the same
  // writes: the last value is kept.
  let lastWrites = -1;
  let lastShare = 0;
  return (writes) => {
    if (writes === lastWrites) return lastShare;
    lastWrites = writes;
    lastShare = interpolated(writes);
    return lastShare;
  };

  function interpolated(writes: number): number {
    if (!(writes > 1 && writes < maxOverwrites)) return exact(writes);
    const u = Math.log(writes) / step;
    const i = Math.min(intervals - 1, Math.floor(u));
    const t = u - i;
    const y0 = logValues[i]!;
    const d = logValues[i + 1]! - y0;
    const a = m0[i]!;
    const b = m1[i]!;
    // The Hermite cubic in Horner form. It lies between the interval's end values, and is held
    // there against the last bit of rounding in exp(log), so the curve never steps back.
    const share = Math.exp(y0 + t * (a + t * (3 * d - 2 * a - b + t * (a + b - 2 * d)))) / keys;
    return Math.min(Math.max(share, shares[i]!), shares[i + 1]!);
  }
}
