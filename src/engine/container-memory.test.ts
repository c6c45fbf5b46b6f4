import { fc, test as fcTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { containerUsage, containerUsageOverTime, splitFilePages } from './container-memory.js';
import { simulatePageCache } from './page-cache.js';
import { bytesAt } from './step-series.js';

const MiB = 1024 * 1024;

describe('containerUsage', () => {
  it('without a limit counts everything', () => {
    expect(containerUsage({ unreclaimableBytes: 300 * MiB, reclaimableCacheBytes: 250 * MiB, limitBytes: null })).toEqual({
      usageBytes: 550 * MiB,
      retainedCacheBytes: 250 * MiB,
      reclaimedCacheBytes: 0,
      oomKill: false,
    });
  });

  it('under a limit drops clean cache to stay at it, and kills only when the rest passes it', () => {
    const held = containerUsage({ unreclaimableBytes: 390 * MiB, reclaimableCacheBytes: 200 * MiB, limitBytes: 424 * MiB });
    expect(held).toEqual({ usageBytes: 424 * MiB, retainedCacheBytes: 34 * MiB, reclaimedCacheBytes: 166 * MiB, oomKill: false });
    const room = containerUsage({ unreclaimableBytes: 100 * MiB, reclaimableCacheBytes: 200 * MiB, limitBytes: 424 * MiB });
    expect(room.usageBytes).toBe(300 * MiB);
    const oom = containerUsage({ unreclaimableBytes: 430 * MiB, reclaimableCacheBytes: 200 * MiB, limitBytes: 424 * MiB });
    expect(oom).toMatchObject({ usageBytes: 424 * MiB, retainedCacheBytes: 0, oomKill: true });
  });

  fcTest.prop([fc.nat(), fc.nat(), fc.option(fc.nat(), { nil: null })])('usage ≤ limit; retained + reclaimed = the cache', (pinned, cache, limit) => {
    const u = containerUsage({ unreclaimableBytes: pinned, reclaimableCacheBytes: cache, limitBytes: limit });
    if (limit !== null) expect(u.usageBytes).toBeLessThanOrEqual(limit);
    expect(u.retainedCacheBytes + u.reclaimedCacheBytes).toBe(cache);
    expect(u.oomKill).toBe(limit !== null && pinned > limit);
  });
});

describe('containerUsageOverTime', () => {
  it('cache reclaimed while anon grows does not come back when the child exits', () => {
    // Anon 320 MiB, +70 MiB of copies during a 5 s save, back at its exit; the file grows to 240 MiB.
    const unreclaimable = { tSec: [0, 1, 2, 3, 4, 5], bytes: [320, 334, 348, 362, 376, 320].map((x) => x * MiB) };
    const reclaimableCache = { tSec: [0, 1, 2, 3, 4, 5], bytes: [0, 48, 96, 144, 192, 240].map((x) => x * MiB) };
    const run = containerUsageOverTime({ unreclaimable, reclaimableCache, limitBytes: 400 * MiB });
    expect(bytesAt(run.retainedCache, 1)).toBe(48 * MiB);
    expect(bytesAt(run.usage, 2)).toBe(400 * MiB);
    expect(bytesAt(run.retainedCache, 4)).toBe(24 * MiB);
    // At the exit 80 MiB of room opens; only the 48 MiB written in the last second come in.
    expect(bytesAt(run.retainedCache, 5)).toBe(72 * MiB);
    expect(run.peakUsageBytes).toBe(400 * MiB);
    expect(run.oomAtSec).toBeNull();
  });

  it('reports when the unreclaimable charge passes the limit', () => {
    const run = containerUsageOverTime({ unreclaimable: { tSec: [0, 3], bytes: [100, 500] }, reclaimableCache: { tSec: [0], bytes: [50] }, limitBytes: 400 });
    expect(run.oomAtSec).toBe(3);
  });

  it('a deleted file leaves the reclaimed pages first', () => {
    const reclaimableCache = { tSec: [0, 1, 2], bytes: [200, 300, 100] };
    const run = containerUsageOverTime({ unreclaimable: { tSec: [0, 2], bytes: [250, 0] }, reclaimableCache, limitBytes: 400 });
    expect(bytesAt(run.retainedCache, 1)).toBe(150);
    expect(bytesAt(run.retainedCache, 2)).toBe(100);
  });
});

describe('splitFilePages', () => {
  it('puts dirty and shmem pages with what cannot be reclaimed', () => {
    const disk = splitFilePages(simulatePageCache({ children: [{ startSec: 0, endSec: 5, killed: false, writesFile: true }], rdbBytes: 100 * MiB, saveDurationSec: 5, onTmpfs: false, incrementalFsync: false, horizonSec: 6 }));
    expect(bytesAt(disk.unreclaimable, 2.45)).toBe(50 * MiB);
    expect(bytesAt(disk.reclaimable, 2.45)).toBe(0);
    expect(bytesAt(disk.reclaimable, 5)).toBe(100 * MiB);
    const tmpfs = splitFilePages(simulatePageCache({ children: [{ startSec: 0, endSec: 5, killed: false, writesFile: true }], rdbBytes: 100 * MiB, saveDurationSec: 5, onTmpfs: true, incrementalFsync: true, horizonSec: 6 }));
    expect(bytesAt(tmpfs.unreclaimable, 5)).toBe(100 * MiB);
    expect(bytesAt(tmpfs.reclaimable, 5)).toBe(0);
  });
});
