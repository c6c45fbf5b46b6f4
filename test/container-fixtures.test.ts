// The BGSAVEs measured inside a memory cgroup by validation/cgroup-probe.ts on this machine
// (test/fixtures/container/), held to what validation/CONTAINERS.md reads out of the kernel's
// cgroup documentation and the Redis 7.0.15 source. No engine yet: these are the facts a
// container model of the fork must reproduce.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CgroupSample } from '../validation/cgroup-probe.js';

const MiB = 2 ** 20;
const PAGE_BYTES = 4096;
/** src/server.h REDIS_AUTOSYNC_BYTES: rioFileWrite syncs the RDB every 4 MiB. */
const AUTOSYNC_BYTES = 4 * MiB;

type Sample = Pick<
  CgroupSample,
  't_s' | 'usage_bytes' | 'kmem_usage_bytes' | 'cache' | 'rss' | 'shmem' | 'dirty' | 'writeback' | 'inactive_file' | 'child_private_dirty_bytes' | 'rdb_file_bytes'
>;
interface Run {
  environment: { redis_version: string; cgroup: { version: number; cgroup2_controllers: string[] }; rdb_filesystem: string };
  spec: { incrementalFsync: boolean; rdbOn: 'disk' | 'tmpfs'; limitAboveAnonPeakMib?: number };
  config: Record<string, string>;
  dataset: { keys: number };
  save: { rdb_bytes_per_key: number; child_end_s: number; rdb_last_bgsave_status: string; rdb_file_bytes: number };
  limit_bytes: number | null;
  summary: { rss_before_bytes: number; cache_before_bytes: number; shmem_before_bytes: number; max_usage_in_bytes: number; failcnt: number; oom_kill: number };
  series: Sample[];
}

const load = (name: string): Run => JSON.parse(readFileSync(new URL(`./fixtures/container/${name}.json`, import.meta.url), 'utf8')) as Run;
const runs = { diskFsync: load('disk-fsync'), diskNoFsync: load('disk-no-fsync'), tmpfs: load('tmpfs'), diskLimit: load('disk-limit') };
const all = Object.entries(runs);

const max = (run: Run, f: (s: Sample) => number) => Math.max(...run.series.map(f));
/** Samples while the child is writing, away from its exit (when the cgroup uncharges its copies). */
const duringSave = (run: Run) => run.series.filter((s) => s.child_private_dirty_bytes !== null && s.t_s < run.save.child_end_s - 0.3);
/** Samples from 1 s after the child exited: the state the save leaves behind. */
const afterSave = (run: Run) => run.series.filter((s) => s.t_s >= run.save.child_end_s + 1);
const pages = (bytes: number) => Math.ceil(bytes / PAGE_BYTES) * PAGE_BYTES;

describe('the runs are what they say', () => {
  it.each(all)('%s: Redis 7.0.15 on cgroup v1 (cgroup2 without memory), uncompressed RDB, the fsync setting of its spec', (_, run) => {
    expect(run.environment.redis_version).toMatch(/v=7\.0\.15/);
    expect(run.environment.cgroup.version).toBe(1);
    expect(run.environment.cgroup.cgroup2_controllers).not.toContain('memory');
    expect(run.config.rdbcompression).toBe('no');
    expect(run.config['rdb-save-incremental-fsync']).toBe(run.spec.incrementalFsync ? 'yes' : 'no');
    expect(run.environment.rdb_filesystem).toMatch(run.spec.rdbOn === 'tmpfs' ? /^tmpfs/ : /^ext/);
    expect(run.save.rdb_last_bgsave_status).toBe('ok');
    // Without compression the file is the keys' serialized size (DUMP-sampled) plus a header.
    expect(run.save.rdb_file_bytes / (run.dataset.keys * run.save.rdb_bytes_per_key)).toBeCloseTo(1, 2);
  });
});

describe('what memory.usage_in_bytes counts', () => {
  it.each(all)('%s: usage = rss + cache within 2.5 %%, and = rss + cache + kmem within 5 MiB', (_, run) => {
    for (const s of run.series) {
      expect(Math.abs(s.usage_bytes - s.rss - s.cache) / s.usage_bytes).toBeLessThan(0.025);
      expect(Math.abs(s.usage_bytes - s.rss - s.cache - s.kmem_usage_bytes!)).toBeLessThan(5 * MiB);
    }
  });

  it.each(all.filter(([, r]) => r.limit_bytes === null))('%s: without reclaim the kmem term closes the gap to 1 MiB', (_, run) => {
    for (const s of run.series) expect(Math.abs(s.usage_bytes - s.rss - s.cache - s.kmem_usage_bytes!)).toBeLessThan(MiB);
  });

  it.each(all)("%s: the anon charge grows by the child's Private_Dirty during the save and returns after it", (_, run) => {
    const during = duringSave(run);
    expect(during.length).toBeGreaterThan(20);
    for (const s of during) expect(Math.abs(s.rss - run.summary.rss_before_bytes - s.child_private_dirty_bytes!)).toBeLessThan(3 * MiB);
    expect(max(run, (s) => s.child_private_dirty_bytes ?? 0)).toBeGreaterThan(30 * MiB);
    for (const s of afterSave(run)) expect(Math.abs(s.rss - run.summary.rss_before_bytes)).toBeLessThan(3 * MiB);
  });
});

describe('the RDB on disk is page cache charged to the cgroup', () => {
  const { diskFsync, diskNoFsync } = runs;
  it.each([['disk-fsync', diskFsync], ['disk-no-fsync', diskNoFsync]] as const)('%s: cache grows by the file, page for page, and stays after the save', (_, run) => {
    const file = pages(run.save.rdb_file_bytes);
    expect(max(run, (s) => s.cache) - run.summary.cache_before_bytes).toBeGreaterThan(file - MiB);
    expect(max(run, (s) => s.cache) - run.summary.cache_before_bytes).toBeLessThan(file + MiB);
    const after = afterSave(run);
    expect(after.length).toBeGreaterThan(30);
    for (const s of after) {
      expect(s.cache).toBeGreaterThan(0.99 * file);
      expect(s.shmem).toBe(0);
      expect(s.dirty).toBe(0);
      // Clean and on the inactive list: the working set cAdvisor reports leaves it out.
      expect(s.inactive_file).toBeGreaterThan(0.99 * file);
    }
    // While writing, the cache follows the file's size.
    for (const s of duringSave(run)) expect(Math.abs(s.cache - (s.rdb_file_bytes ?? 0))).toBeLessThan(2 * MiB);
  });

  it('with incremental fsync, dirty + writeback stay within three 4 MiB chunks', () => {
    const peak = max(diskFsync, (s) => s.dirty + s.writeback);
    expect(peak).toBeLessThanOrEqual(3 * AUTOSYNC_BYTES);
    expect(max(diskFsync, (s) => s.dirty)).toBeGreaterThan(MiB);
  });

  it("without it, nearly the whole file is dirty before the child's final fsync, and none after", () => {
    const file = diskNoFsync.save.rdb_file_bytes;
    expect(max(diskNoFsync, (s) => s.dirty)).toBeGreaterThan(0.9 * file);
    expect(max(diskNoFsync, (s) => s.dirty)).toBeGreaterThan(20 * max(diskFsync, (s) => s.dirty));
    for (const s of diskNoFsync.series.filter((x) => x.t_s >= diskNoFsync.save.child_end_s)) expect(s.dirty).toBe(0);
  });

  it('the dashboard sees the file, the anon peak does not: usage peak − anon peak ≈ the file', () => {
    const file = diskFsync.save.rdb_file_bytes;
    const gap = max(diskFsync, (s) => s.usage_bytes) - max(diskFsync, (s) => s.rss + s.shmem);
    expect(gap).toBeGreaterThan(0.9 * file);
    expect(gap).toBeLessThan(1.1 * file);
    const workingSet = max(diskFsync, (s) => s.usage_bytes - s.inactive_file);
    expect(workingSet).toBeLessThan(max(diskFsync, (s) => s.rss) + 16 * MiB);
  });
});

describe('the RDB on tmpfs is shmem', () => {
  const run = runs.tmpfs;
  const file = pages(run.save.rdb_file_bytes);
  it('shmem grows by the file and stays; in v1 it is inside cache; nothing is dirty', () => {
    expect(max(run, (s) => s.shmem) - run.summary.shmem_before_bytes).toBeGreaterThan(file - MiB);
    expect(max(run, (s) => s.shmem) - run.summary.shmem_before_bytes).toBeLessThan(file + MiB);
    for (const s of afterSave(run)) {
      expect(s.shmem).toBeGreaterThan(0.99 * file);
      expect(Math.abs(s.cache - s.shmem)).toBeLessThan(MiB);
    }
    expect(max(run, (s) => s.dirty + s.writeback)).toBe(0);
  });

  it('usage and anon + shmem agree: none of it is reclaimable, and the working set holds it', () => {
    const usagePeak = max(run, (s) => s.usage_bytes);
    expect(Math.abs(usagePeak - max(run, (s) => s.rss + s.shmem)) / usagePeak).toBeLessThan(0.01);
    expect(max(run, (s) => s.usage_bytes - s.inactive_file)).toBeGreaterThan(max(run, (s) => s.rss) + 0.9 * file);
  });
});

describe('under a limit the clean cache is reclaimed instead of an OOM kill', () => {
  const run = runs.diskLimit;
  const limit = run.limit_bytes!;
  it('the limit was below what the save would have used, and usage never passed it', () => {
    expect(limit).toBeLessThan(max(runs.diskFsync, (s) => s.usage_bytes) - 100 * MiB);
    for (const s of run.series) expect(s.usage_bytes).toBeLessThanOrEqual(limit);
    expect(run.summary.max_usage_in_bytes).toBeLessThanOrEqual(limit);
    expect(run.summary.max_usage_in_bytes).toBeGreaterThan(limit - 2 * MiB);
  });

  it('most of the file left the cache, the charge hit the limit, no process was killed, the save succeeded', () => {
    expect(max(run, (s) => s.cache)).toBeLessThan(0.5 * run.save.rdb_file_bytes);
    expect(run.series.at(-1)!.rdb_file_bytes).toBe(run.save.rdb_file_bytes);
    expect(run.summary.failcnt).toBeGreaterThan(0);
    expect(run.summary.oom_kill).toBe(0);
    expect(run.save.rdb_last_bgsave_status).toBe('ok');
    expect(max(run, (s) => s.dirty + s.writeback)).toBeLessThanOrEqual(3 * AUTOSYNC_BYTES);
  });
});
