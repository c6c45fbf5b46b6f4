// What the engine assumes for every scenario field a client may leave out, and why. The
// scenario schema fills these in, so a run always states what it assumed.

import type { KeyDistribution } from './key-distribution.js';

/** A short prefixed id such as `session:12345678`. */
export const DEFAULT_KEY_BYTES = 16;

/** No write load: the fork and the child's bookkeeping alone. */
export const DEFAULT_WRITES_PER_SEC = 0;
/** Every write hits a key with the same probability. */
export const DEFAULT_KEY_DISTRIBUTION: KeyDistribution = { type: 'uniform' };
/** YCSB's Zipfian constant. */
export const DEFAULT_ZIPF_EXPONENT = 0.99;
/** A hot set: 1% of the keys take 90% of the writes. */
export const DEFAULT_HOT_KEY_FRACTION = 0.01;
export const DEFAULT_HOT_WRITE_FRACTION = 0.9;
/** Pure overwrites: no inserts or deletes, nothing grows the parent. */
export const DEFAULT_NEW_KEY_FRACTION = 0;
export const DEFAULT_DELETE_FRACTION = 0;
/** Main-thread CPU per SET without faults: 5.8 µs measured at 50k SET/s on the reference VM. */
export const DEFAULT_SERVICE_USEC_PER_WRITE = 5.8;

/** Default save throughput: the low end of 0.27–0.5 GB/s observed on large instances. */
export const DEFAULT_SAVE_THROUGHPUT_BYTES_PER_SEC = 270e6;
/** Saves back to back: the previous snapshot has just ended, every entry write-protected. */
export const DEFAULT_SECONDS_SINCE_PREVIOUS_FORK = 0;

/** Hosts on `madvise` behave as `never`: Redis does not madvise its heap. */
export const DEFAULT_THP = 'never';
/** Linux ≥ 5.8 splits a shared huge page on write and copies 4 KiB. */
export const DEFAULT_THP_COW = 'split-4k';
/** redis-doc latency.md's KVM figure: a common cloud guest. */
export const DEFAULT_PLATFORM = 'kvm';

export const DEFAULT_REDIS_VERSION = '7.0';
/** redis.conf disable-thp, yes by default since 6.2. */
export const DEFAULT_DISABLE_THP = true;

/** The analytic model: cost independent of the number of writes. */
export const DEFAULT_MODE = 'expected';
/** Any fixed seed: the same scenario gives the same exact-mode result. */
export const DEFAULT_SEED = 1;
/** Series step: ten points per second of snapshot, widened to fit maxPoints. */
export const DEFAULT_SAMPLE_INTERVAL_SEC = 0.1;
/** Enough points to draw a snapshot at screen resolution, small enough to ship. */
export const DEFAULT_MAX_POINTS = 2000;
