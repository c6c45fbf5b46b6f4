// Which key each write of the load overwrites. Ranks come from the engine's own samplers
// (uniform, Zipf by rejection-inversion, hot set, sequential) and are scattered over the
// keyspace by the engine's fixed bijection, so hot keys do not share pages by construction;
// sequential loads walk keys in insertion (address) order. After induced fragmentation the
// surviving key numbers are listed and ranks index into that list.
import { createRankSampler, type KeyDistribution } from '../engine/key-distribution.js';
import { Permutation } from '../engine/permutation.js';
import { Rng } from '../engine/rng.js';

export interface KeyPickerOptions {
  /** Keys that can be written (after fragmentation, the survivors). */
  keys: number;
  distribution: KeyDistribution;
  seed: number;
  /** Key numbers by position; absent means key numbers 0..keys-1. */
  survivors?: Uint32Array | undefined;
}

export type KeyPicker = () => number;

/** A key number (the N in `key:N`) per call. */
export function createKeyPicker({ keys, distribution, seed, survivors }: KeyPickerOptions): KeyPicker {
  if (survivors && survivors.length !== keys) throw new RangeError(`survivors lists ${survivors.length} keys, expected ${keys}`);
  const sampler = createRankSampler(distribution, keys);
  const rng = new Rng(seed);
  const scatter = distribution.type === 'zipf' || distribution.type === 'hotset' ? new Permutation(keys, seed) : undefined;
  return () => {
    const rank = sampler.sample(rng);
    const position = scatter ? scatter.apply(rank) : rank;
    return survivors ? survivors[position]! : position;
  };
}
