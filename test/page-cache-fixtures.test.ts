// The page-cache and container-memory models against what was measured here: the BGSAVEs inside
// a memory cgroup (test/fixtures/container/, validation/cgroup-probe.ts) and a file renamed over
// while held open (test/fixtures/held-inode-probe.txt).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { containerUsageOverTime, splitFilePages } from '../src/engine/container-memory.js';
import { REDIS_AUTOSYNC_BYTES, simulatePageCache, type PageCacheRun } from '../src/engine/page-cache.js';
import { bytesAt, combineSeries, type StepSeries } from '../src/engine/step-series.js';
import type { CgroupSample } from '../validation/cgroup-probe.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const pages = (bytes: number) => Math.ceil(bytes / 4096) * 4096;

interface Run {
  spec: { incrementalFsync: boolean; rdbOn: 'disk' | 'tmpfs' };
  save: { child_start_s: number; child_end_s: number; rdb_file_bytes: number };
  limit_bytes: number | null;
  summary: { cache_before_bytes: number; shmem_before_bytes: number; peak_cache_bytes: number; peak_dirty_bytes: number; peak_shmem_bytes: number; cache_after_bytes: number };
  series: CgroupSample[];
}
const fixture = (path: string) => readFileSync(new URL(`./fixtures/${path}`, import.meta.url), 'utf8');
const load = (name: string): Run => JSON.parse(fixture(`container/${name}.json`)) as Run;
const runs = { diskFsync: load('disk-fsync'), diskNoFsync: load('disk-no-fsync'), tmpfs: load('tmpfs'), diskLimit: load('disk-limit') };

/** The run's one save as the page-cache model sees it: the child's measured start and end. */
function modelOf(run: Run): PageCacheRun {
  const { child_start_s: startSec, child_end_s: endSec, rdb_file_bytes: rdbBytes } = run.save;
  return simulatePageCache({
    children: [{ startSec, endSec, killed: false, writesFile: true }],
    rdbBytes,
    saveDurationSec: endSec - startSec,
    onTmpfs: run.spec.rdbOn === 'tmpfs',
    incrementalFsync: run.spec.incrementalFsync,
    horizonSec: run.series.at(-1)!.t_s,
  });
}
const fromT0 = (run: Run) => run.series.filter((s) => s.t_s >= 0);
const measuredSeries = (run: Run, f: (s: CgroupSample) => number): StepSeries => ({ tSec: run.series.map((s) => s.t_s), bytes: run.series.map(f) });
const maxAbs = (values: number[]) => Math.max(...values.map(Math.abs));

describe('the page cache of one BGSAVE, model against memory.stat', () => {
  // The model writes the file linearly over the child's life; the measured file ran up to 10 MiB
  // ahead of that (fork and exit inside the child's time), 17 MiB without incremental fsync (its
  // final fsync, 0.27 s of the child's 3.97 s, writes nothing new). The 0.1 s steps hold each
  // interval's end value: up to 5.6 MiB more.
  const cases = [
    ['disk-fsync', 0.04, runs.diskFsync],
    ['disk-no-fsync', 0.07, runs.diskNoFsync],
    ['tmpfs', 0.04, runs.tmpfs],
  ] as const;

  it.each(cases)('%s: the cache follows the file within %s of its size, and holds all of it after', (_, share, run) => {
    const model = modelOf(run);
    const file = run.save.rdb_file_bytes;
    const errors = fromT0(run).map((s) => bytesAt(model.cached, s.t_s) - (s.cache - run.summary.cache_before_bytes));
    expect(maxAbs(errors)).toBeLessThan(share * file);
    expect(model.peakCachedBytes).toBe(pages(file));
    expect(Math.abs(model.peakCachedBytes - run.summary.peak_cache_bytes)).toBeLessThan(64 * KiB);
    expect(Math.abs(bytesAt(model.cached, run.series.at(-1)!.t_s) - run.summary.cache_after_bytes)).toBeLessThan(64 * KiB);
  });

  it('with incremental fsync: dirty never above the model’s one 4 MiB chunk, which the measured peak reaches', () => {
    const run = runs.diskFsync;
    const model = modelOf(run);
    for (const s of fromT0(run)) {
      expect(s.dirty).toBeLessThanOrEqual(bytesAt(model.dirty, s.t_s));
      expect(bytesAt(model.dirty, s.t_s) - s.dirty).toBeLessThanOrEqual(REDIS_AUTOSYNC_BYTES);
    }
    expect(model.peakDirtyBytes).toBe(REDIS_AUTOSYNC_BYTES);
    expect(run.summary.peak_dirty_bytes).toBe(REDIS_AUTOSYNC_BYTES);
  });

  it('without it: dirty follows the file until the final fsync, none after the child', () => {
    const run = runs.diskNoFsync;
    const model = modelOf(run);
    const file = run.save.rdb_file_bytes;
    // The final fsync (the last 0.3 s) is inside the child's life; the model clears dirty at its end.
    const writing = fromT0(run).filter((s) => s.t_s < run.save.child_end_s - 0.3);
    expect(maxAbs(writing.map((s) => bytesAt(model.dirty, s.t_s) - s.dirty))).toBeLessThan(0.07 * file);
    expect(Math.abs(model.peakDirtyBytes - run.summary.peak_dirty_bytes)).toBeLessThan(0.01 * file);
    for (const s of run.series.filter((x) => x.t_s >= run.save.child_end_s)) {
      expect(s.dirty).toBe(0);
      expect(bytesAt(model.dirty, s.t_s)).toBe(0);
    }
  });

  it('on tmpfs: shmem is the file, and nothing is dirty', () => {
    const run = runs.tmpfs;
    const model = modelOf(run);
    const errors = fromT0(run).map((s) => bytesAt(model.shmem, s.t_s) - (s.shmem - run.summary.shmem_before_bytes));
    expect(maxAbs(errors)).toBeLessThan(0.04 * run.save.rdb_file_bytes);
    expect(model.peakShmemBytes).toBe(run.summary.peak_shmem_bytes);
    expect(model.peakDirtyBytes).toBe(0);
  });
});

describe('what the container shows', () => {
  /** The anon charge and kernel memory as measured; the file's pages from the model. */
  function usageFromModel(run: Run) {
    const file = splitFilePages(modelOf(run));
    const anonAndKernel = measuredSeries(run, (s) => s.rss + s.kmem_usage_bytes!);
    return containerUsageOverTime({ unreclaimable: combineSeries([anonAndKernel, file.unreclaimable], ([a, f]) => a! + f!), reclaimableCache: file.reclaimable, limitBytes: run.limit_bytes });
  }

  it.each([
    ['disk-fsync', 6, runs.diskFsync],
    ['disk-no-fsync', 16, runs.diskNoFsync],
    ['tmpfs', 6, runs.tmpfs],
  ] as const)('%s, no limit: anon + kernel + the model’s file pages is memory.usage_in_bytes within %s MiB', (_, mib, run) => {
    const usage = usageFromModel(run);
    expect(maxAbs(fromT0(run).map((s) => bytesAt(usage.usage, s.t_s) - s.usage_bytes))).toBeLessThan(mib * MiB);
    expect(usage.oomAtSec).toBeNull();
  });

  describe('disk-limit: usage held at the limit by reclaiming the clean cache', () => {
    const run = runs.diskLimit;
    const limit = run.limit_bytes!;

    it('from the measured charges alone: usage within 5 MiB (v1’s fuzz under reclaim), the cache kept within 5 MiB', () => {
      const clean = (s: CgroupSample) => s.dirty + s.writeback + s.shmem;
      const usage = containerUsageOverTime({
        unreclaimable: measuredSeries(run, (s) => s.rss + s.kmem_usage_bytes! + clean(s)),
        // What the cache would hold without a limit: every page of the file written so far.
        reclaimableCache: measuredSeries(run, (s) => Math.max(0, pages(s.rdb_file_bytes ?? 0) - clean(s))),
        limitBytes: limit,
      });
      for (const s of fromT0(run)) {
        expect(Math.abs(bytesAt(usage.usage, s.t_s) - s.usage_bytes)).toBeLessThan(5 * MiB);
        expect(Math.abs(bytesAt(usage.retainedCache, s.t_s) - (s.cache - clean(s)))).toBeLessThan(5 * MiB);
      }
      expect(usage.peakUsageBytes).toBe(limit);
    });

    it('with the model’s file: usage within 12 MiB, never above the limit, and the cache that reclaim left stays after the child', () => {
      const usage = usageFromModel(run);
      // Before the limit binds the model's file runs up to 10 MiB ahead of the measured one:
      // this save was slowed by reclaim (5.8 s against 4.0–4.4 s) unevenly.
      for (const s of fromT0(run)) {
        expect(Math.abs(bytesAt(usage.usage, s.t_s) - s.usage_bytes)).toBeLessThan(12 * MiB);
        expect(bytesAt(usage.usage, s.t_s)).toBeLessThanOrEqual(limit);
      }
      expect(usage.peakUsageBytes).toBe(limit);
      expect(usage.oomAtSec).toBeNull();
      // 30.8 MiB measured after the exit, with room for 68 MiB more.
      const end = run.series.at(-1)!;
      expect(Math.abs(bytesAt(usage.retainedCache, end.t_s) - end.cache)).toBeLessThan(2 * MiB);
      expect(limit - end.usage_bytes).toBeGreaterThan(60 * MiB);
    });
  });
});

describe('a file renamed over leaves the cache when its last holder lets go', () => {
  const steps = fixture('held-inode-probe.txt')
    .split('\n')
    .filter((line) => line.trim() && !line.startsWith('#'))
    .map((line) => {
      const [step, before, after, held] = line.split(' ');
      return { step: step!, freedBytes: Number(before) - Number(after), heldBytes: Number(held) };
    });
  const FILE = 128 * MiB;

  it.each(steps.map((s) => [s.step, s] as const))('%s', (step, s) => {
    if (step === 'rename-while-held') {
      expect(Math.abs(s.freedBytes)).toBeLessThan(4 * MiB);
      expect(s.heldBytes).toBe(FILE);
    } else {
      expect(Math.abs(s.freedBytes - FILE)).toBeLessThan(4 * MiB);
    }
  });

  it('the model frees the older file at the rename, or when its holder lets go', () => {
    const base = { children: [{ startSec: 0, endSec: 5, killed: false, writesFile: true }], rdbBytes: FILE, saveDurationSec: 5, onTmpfs: false, incrementalFsync: true, cachedAtForkBytes: FILE, horizonSec: 10 };
    expect(bytesAt(simulatePageCache(base).cached, 5)).toBe(FILE);
    const held = simulatePageCache({ ...base, cachedAtForkHeldUntilSec: 8 });
    expect(bytesAt(held.cached, 7)).toBe(2 * FILE);
    expect(bytesAt(held.cached, 8)).toBe(FILE);
  });
});
