// What the load's writes do to a keyspace. An overwrite rewrites a key's value (MODEL.md §3)
// and so dirties the pages it sits on; an insert or a delete rewrites one bucket of the hash
// table, and an insert also adds a key's allocations to the parent. How many distinct keys the
// overwrites reach follows from the key distribution: computed here once, for the stepping
// timeline and for the fork cost alike.

import { expectedDistinctKeys, expectedDistinctKeysCurve, type KeyDistribution } from './key-distribution.js';

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

/** Grid points of the tabulated Zipf curve; quadratic spacing favours few overwrites. */
const DISTINCT_CURVE_POINTS = 1024;

/**
 * The Zipf sum is hundreds of terms, so up to `maxOverwrites` it is tabulated once and
 * interpolated: the curve is smooth and concave. Past it, and for the other distributions, it
 * is exact.
 */
export function distinctShareCurve(mix: WriteMix, maxOverwrites: number): DistinctShareCurve {
  const { keys, distribution: dist } = mix;
  if (mix.sequential) return (writes) => Math.min(1, writes / keys);
  const distinct = expectedDistinctKeysCurve(dist, keys);
  if (dist.type !== 'zipf') return (writes) => distinct(writes) / keys;
  const grid = new Float64Array(DISTINCT_CURVE_POINTS + 1);
  const values = new Float64Array(DISTINCT_CURVE_POINTS + 1);
  for (let i = 0; i <= DISTINCT_CURVE_POINTS; i++) {
    const x = i / DISTINCT_CURVE_POINTS;
    grid[i] = maxOverwrites * x * x;
    values[i] = distinct(grid[i]!) / keys;
  }
  return (writes) => {
    if (writes >= maxOverwrites) return distinct(writes) / keys;
    const i = Math.min(DISTINCT_CURVE_POINTS - 1, Math.floor(Math.sqrt(writes / maxOverwrites) * DISTINCT_CURVE_POINTS));
    const w0 = grid[i]!;
    const w1 = grid[i + 1]!;
    return values[i]! + ((values[i + 1]! - values[i]!) * (writes - w0)) / (w1 - w0);
  };
}
