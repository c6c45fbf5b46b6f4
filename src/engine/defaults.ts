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
/** The high end of the same observed range: what a faster disk or a lighter child reaches. */
export const FAST_SAVE_THROUGHPUT_BYTES_PER_SEC = 500e6;
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

/** A BGSAVE: the fork forkcast always modelled. */
export const DEFAULT_TRIGGER = 'bgsave';
/** A file on disk: its pages are page cache the kernel can reclaim. */
export const DEFAULT_RDB_ON_TMPFS = false;
/** rdb-save-incremental-fsync yes (redis.conf default): dirty file pages stay under 4 MiB. */
export const DEFAULT_RDB_SAVE_INCREMENTAL_FSYNC = true;
/**
 * Redis's built-in `save 3600 1 300 100 60 10000`, in force when redis.conf sets none: a disk
 * child is then not killed when its replica drops (PR #7819 kills it only without save rules).
 */
export const DEFAULT_SAVE_CONFIGURED = true;
/** serverCron frequency: CONFIG_DEFAULT_HZ. */
export const DEFAULT_HZ = 10;

/** One replica: the common primary/replica pair. */
export const DEFAULT_REPLICAS = 1;
/** repl-diskless-sync: no on 6.2, yes from 7.0 (`src/config.c`). */
export const DEFAULT_DISKLESS_BY_VERSION = { '6.2': false, '7.0': true } as const;
/** repl-diskless-sync-delay (`src/config.c`). */
export const DEFAULT_DISKLESS_SYNC_DELAY_SEC = 5;
/** repl-diskless-load disabled (`src/config.c`): the replica loads from a file on its disk. */
export const DEFAULT_DISKLESS_LOAD = 'disabled';
/** A new or restarted replica holds nothing before the sync. */
export const DEFAULT_REPLICA_STARTS_EMPTY = true;
/** Until the sync settles, or this many full syncs of a disconnect loop. */
export const DEFAULT_MAX_FULL_SYNCS = 5;

/** A VM: the limit is its RAM, page cache is reclaimable and not counted. */
export const DEFAULT_HOST_KIND = 'vm';
/**
 * Headroom below which a surviving host is called tight, percent of the limit. The cloud rules
 * of thumb (AWS 25%, Azure 10% + 10%, GCP 50% during an export) reserve room for a copy-on-write
 * they cannot see; the forecast counts it, so the margin need only cover what it does not: the
 * model's error on peak memory (within about 6% on every measured run), the dataset's growth between
 * the forecast and the fork, and the daemons a default reserve guesses. Azure's maxmemory-reserved
 * default, 10%, is the smallest of the platforms' reserves for such non-cache memory.
 */
export const DEFAULT_MARGIN_PERCENT = 10;
/** No file pages cached at the fork (a first save, or the old dump.rdb already evicted). */
export const DEFAULT_PAGE_CACHE_AT_FORK_BYTES = 0;
/**
 * What else a VM's RAM holds: the kernel's slabs and the system's daemons — 256 MiB, an
 * assumption (not measured here: this machine is a container) to override with the host's
 * MemTotal − MemAvailable before Redis starts — plus the free-page reserve the kernel keeps
 * before it reclaims or kills (`mm/page_alloc.c` init_per_zone_wmark_min: min_free_kbytes =
 * √(16 × RAM in KiB), at most 256 MiB). A container's memory.max counts only its own cgroup: 0.
 */
export const DEFAULT_VM_SYSTEM_RESERVE_BYTES = 256 * 1024 * 1024;
export function defaultReservedBytes(kind: 'vm' | 'container', memoryBytes: number | null): number {
  if (kind === 'container' || memoryBytes === null) return 0;
  const minFreeKiB = Math.min(256 * 1024, Math.max(128, Math.floor(Math.sqrt(16 * (memoryBytes / 1024)))));
  return DEFAULT_VM_SYSTEM_RESERVE_BYTES + minFreeKiB * 1024;
}
