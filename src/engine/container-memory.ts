// What a memory cgroup shows for a fork event, and when it kills: cgroup v1
// `memory.usage_in_bytes` / v2 `memory.current`, the figure cAdvisor reports as
// container_memory_usage_bytes (validation/CONTAINERS.md).
//
// Usage is every page charged to the cgroup: anon (the parent's RSS and each page the child
// copies), kernel memory, and the page cache, tmpfs included. Without a limit nothing is taken
// back. With one, charging past it makes the kernel reclaim from the cgroup's own LRU first
// (cgroup v1 memory.rst §2.5; v2 `memory.max`): clean file pages go, so usage sits at the
// limit; only what cannot be reclaimed — anon (no swap here), kernel memory, shmem, dirty and
// writeback pages — can push it past, and then the OOM killer runs. Measured (disk-limit.json):
// usage held at the 424.4 MiB limit, the 244.8 MiB file's cache cut to 68.9 MiB and then to
// 30.8 MiB as the child's copies grew, no OOM kill.
//
// Reclaimed pages stay gone: the file is not read again, so cache freed under pressure does not
// return when the pressure ends (measured: 30.8 MiB cached after the child exited, with 68 MiB
// of room). When a file is deleted its pages are taken to be among the reclaimed first, as LRU
// reclaims the oldest first and the file a save replaces is the oldest. Not modelled: memory.high
// throttling (v2), swap, the reclaim's cost to the writer (the limited save took 5.9 s, 4.0–4.4 s
// without a limit).
import type { PageCacheRun } from './page-cache.js';
import { bytesAt, combineSeries, type MutableStepSeries, appendStep, seriesPeak, type StepSeries } from './step-series.js';

export interface ContainerUsageInput {
  /** Charged pages the kernel cannot drop: anon, kernel memory, shmem, dirty and writeback file pages. */
  unreclaimableBytes: number;
  /** Clean file pages: the kernel drops them first to stay under the limit. */
  reclaimableCacheBytes: number;
  /** memory.limit_in_bytes / memory.max; null for none. */
  limitBytes: number | null;
}

export interface ContainerUsage {
  /** memory.usage_in_bytes / memory.current: never above the limit. */
  usageBytes: number;
  /** The clean cache left after reclaim. */
  retainedCacheBytes: number;
  reclaimedCacheBytes: number;
  /** What cannot be reclaimed exceeds the limit: the OOM killer runs. */
  oomKill: boolean;
}

export function containerUsage(input: ContainerUsageInput): ContainerUsage {
  const { unreclaimableBytes, reclaimableCacheBytes, limitBytes } = input;
  if (!(unreclaimableBytes >= 0) || !(reclaimableCacheBytes >= 0)) throw new RangeError('memory figures must be ≥ 0');
  if (limitBytes === null) return { usageBytes: unreclaimableBytes + reclaimableCacheBytes, retainedCacheBytes: reclaimableCacheBytes, reclaimedCacheBytes: 0, oomKill: false };
  const retainedCacheBytes = Math.max(0, Math.min(reclaimableCacheBytes, limitBytes - unreclaimableBytes));
  return {
    usageBytes: Math.min(limitBytes, unreclaimableBytes + retainedCacheBytes),
    retainedCacheBytes,
    reclaimedCacheBytes: reclaimableCacheBytes - retainedCacheBytes,
    oomKill: unreclaimableBytes > limitBytes,
  };
}

export interface ContainerUsageSeriesInput {
  unreclaimable: StepSeries;
  /** The clean file pages there would be without a limit. */
  reclaimableCache: StepSeries;
  limitBytes: number | null;
}

export interface ContainerUsageRun {
  usage: StepSeries;
  retainedCache: StepSeries;
  peakUsageBytes: number;
  /** The first time the unreclaimable charge passed the limit. */
  oomAtSec: number | null;
}

/**
 * The charge moment by moment, keeping what reclaim took: the cache regrows only by new pages.
 * Called in time order with what cannot be reclaimed and the clean cache there would be
 * without a limit.
 */
export function containerCharge(limitBytes: number | null): (unreclaimableBytes: number, reclaimableCacheBytes: number) => ContainerUsage {
  let retained = 0;
  let previousCache = 0;
  return (unreclaimableBytes, cache) => {
    // New pages come in as written; deleted ones leave the reclaimed first.
    retained = Math.min(retained + Math.max(0, cache - previousCache), cache);
    previousCache = cache;
    const now = containerUsage({ unreclaimableBytes, reclaimableCacheBytes: retained, limitBytes });
    retained = now.retainedCacheBytes;
    return now;
  };
}

/** containerUsage over time (see containerCharge). */
export function containerUsageOverTime(input: ContainerUsageSeriesInput): ContainerUsageRun {
  const { unreclaimable, reclaimableCache, limitBytes } = input;
  const times = [...new Set([...unreclaimable.tSec, ...reclaimableCache.tSec])].sort((a, b) => a - b);
  const usage: MutableStepSeries = { tSec: [], bytes: [] };
  const retainedCache: MutableStepSeries = { tSec: [], bytes: [] };
  const charge = containerCharge(limitBytes);
  let oomAtSec: number | null = null;
  for (const t of times) {
    const now = charge(bytesAt(unreclaimable, t), bytesAt(reclaimableCache, t));
    const retained = now.retainedCacheBytes;
    if (now.oomKill && oomAtSec === null) oomAtSec = t;
    appendStep(usage, t, now.usageBytes);
    appendStep(retainedCache, t, retained);
  }
  return { usage, retainedCache, peakUsageBytes: seriesPeak(usage), oomAtSec };
}

/** A page-cache run's file pages, split into what reclaim can drop and what it cannot. */
export function splitFilePages(run: PageCacheRun): { reclaimable: StepSeries; unreclaimable: StepSeries } {
  return {
    reclaimable: combineSeries([run.cached, run.dirty, run.shmem], ([cached, dirty, shmem]) => cached! - dirty! - shmem!),
    unreclaimable: combineSeries([run.dirty, run.shmem], ([dirty, shmem]) => dirty! + shmem!),
  };
}
