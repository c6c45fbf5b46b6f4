// A BGSAVE measured the way a container's memory cgroup sees it: a redis-server of the run's own,
// moved into a child memory cgroup of this process's cgroup before it is filled (the fork
// children inherit the group), DEBUG POPULATE with rdbcompression no (so the RDB is as large as
// the data), a paced SET load, then BGSAVE (t_s = 0) stretched with rdb-key-save-delay and a
// sample every 100 ms of memory.usage_in_bytes and memory.stat, the child's Private_Dirty, the
// parent's RSS, INFO, and the RDB file's size until some seconds after the child exits. The runs
// differ in where the file goes (disk or a tmpfs of the run's own), rdb-save-incremental-fsync,
// and a memory limit. The mechanism behind what it sees: validation/CONTAINERS.md. Writes
// test/fixtures/container/.
//
//   npx tsx validation/cgroup-probe.ts <run> [--out DIR]
//   runs: disk-fsync disk-no-fsync tmpfs disk-limit (disk-limit reads disk-fsync's fixture)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { round } from '../src/engine/numbers.js';
import { CleanupStack, guardProcess, interruptedBy } from '../src/harness/cleanup.js';
import { connectLoopback } from '../src/harness/connect.js';
import { hostFacts } from '../src/harness/environment.js';
import { fillUncompressed } from '../src/harness/fill.js';
import { liveChild } from '../src/harness/fork-child.js';
import { freePort } from '../src/harness/free-port.js';
import { MemoryCgroup, v2Controllers, type V1StatField } from '../src/harness/memory-cgroup.js';
import { defaultMaxInflight } from '../src/harness/pacing.js';
import { stretchSaves } from '../src/harness/probe.js';
import { readProcStat, readSmapsRollup } from '../src/harness/proc.js';
import { waitForQuietHost } from '../src/harness/quiet-host.js';
import { configGet, infoNumber, parseInfo } from '../src/harness/redis-info.js';
import { RedisServer } from '../src/harness/redis-server.js';
import { readThp } from '../src/harness/thp.js';
import { WriteLoad } from '../src/harness/writer.js';
import { probeMain } from './probe-command.js';

const MiB = 2 ** 20;
const SAMPLE_MS = 100;
const LEAD_SEC = 1;
const TMPFS_SIZE = '2g';
/** How long to wait for another test run on the shared cores to end before measuring. */
const QUIET_WAIT_SEC = 600;

interface RunSpec {
  description: string;
  rdbOn: 'disk' | 'tmpfs';
  incrementalFsync: boolean;
  /** memory.limit_in_bytes above disk-fsync's measured anon peak; undefined: no limit. */
  limitAboveAnonPeakMib?: number;
  datasetMib: number;
  valueBytes: number;
  writesPerSec: number;
  saveTargetSec: number;
  /** Samples kept after the child exited. */
  afterChildSec: number;
  horizonSec: number;
}

const BASE = { datasetMib: 320, valueBytes: 1024, writesPerSec: 2000, saveTargetSec: 5, afterChildSec: 6, horizonSec: 60 } as const;

export const RUNS: Record<string, RunSpec> = {
  'disk-fsync': {
    ...BASE,
    description: 'RDB on the ordinary disk, rdb-save-incremental-fsync yes (the default), no memory limit',
    rdbOn: 'disk',
    incrementalFsync: true,
  },
  'disk-no-fsync': {
    ...BASE,
    description: 'RDB on the ordinary disk, rdb-save-incremental-fsync no, no memory limit',
    rdbOn: 'disk',
    incrementalFsync: false,
  },
  tmpfs: {
    ...BASE,
    description: 'RDB on a tmpfs mounted for the run (a memory-backed emptyDir), rdb-save-incremental-fsync yes, no memory limit',
    rdbOn: 'tmpfs',
    incrementalFsync: true,
  },
  'disk-limit': {
    ...BASE,
    description: 'as disk-fsync, with memory.limit_in_bytes 48 MiB above the anon peak disk-fsync measured',
    rdbOn: 'disk',
    incrementalFsync: true,
    limitAboveAnonPeakMib: 48,
  },
};

/** One 100 ms sample, as each fixture's `series` holds it. */
export interface CgroupSample {
  t_s: number;
  usage_bytes: number;
  kmem_usage_bytes: number | null;
  cache: number;
  rss: number;
  rss_huge: number;
  shmem: number;
  mapped_file: number;
  dirty: number;
  writeback: number;
  active_file: number;
  inactive_file: number;
  active_anon: number;
  inactive_anon: number;
  pgmajfault: number;
  child_pid: number | null;
  child_private_dirty_bytes: number | null;
  parent_rss_bytes: number | null;
  used_memory: number | null;
  used_memory_rss: number | null;
  rdb_bgsave_in_progress: number | null;
  /** temp-<child>.rdb while the child writes, dump.rdb after the rename. */
  rdb_file_bytes: number | null;
  /** st_blocks × 512 of the same file: what it occupies. */
  rdb_file_alloc_bytes: number | null;
  writes_acked: number;
}

function fileSizes(path: string): { bytes: number; alloc: number } | undefined {
  try {
    const st = statSync(path);
    return { bytes: st.size, alloc: st.blocks * 512 };
  } catch {
    return undefined;
  }
}

/** disk-fsync's anon peak (memory.stat rss + shmem), the base of disk-limit's limit. */
function anonPeakOf(fixture: string): number {
  const run = JSON.parse(readFileSync(fixture, 'utf8')) as { series: CgroupSample[] };
  return Math.max(...run.series.map((s) => s.rss + s.shmem));
}

const CONFIG = ['rdbcompression', 'rdb-save-incremental-fsync', 'rdb-key-save-delay', 'dir', 'save', 'appendonly', 'disable-thp', 'rdb-del-sync-files'];

export async function runCgroupProbe(name: string, spec: RunSpec, log: (line: string) => void, fixtureDir: string) {
  const wallStart = performance.now();
  const cleanup = new CleanupStack();
  const unguard = guardProcess(cleanup);
  try {
    const waitedSec = await waitForQuietHost(log, QUIET_WAIT_SEC);
    const host = hostFacts();
    const limitBase = spec.limitAboveAnonPeakMib !== undefined ? anonPeakOf(join(fixtureDir, 'disk-fsync.json')) : undefined;

    const work = mkdtempSync(join(tmpdir(), 'forkcast-cgroup-'));
    const removeWork = () => rmSync(work, { recursive: true, force: true });
    cleanup.add(`remove ${work}`, async () => removeWork(), removeWork);
    let dir = work;
    if (spec.rdbOn === 'tmpfs') {
      dir = join(work, 'tmpfs');
      mkdirSync(dir);
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_SIZE}`, 'tmpfs', dir]);
      const umount = () => {
        if (readFileSync('/proc/self/mounts', 'utf8').split('\n').some((l) => l.split(' ')[1] === dir)) execFileSync('umount', [dir]);
      };
      cleanup.add(`umount ${dir}`, async () => umount(), umount);
    }
    // Removed after the server is stopped (the stack runs newest first).
    const group = MemoryCgroup.create(`forkcast-${name}-${process.pid}`, cleanup);
    const port = await freePort();
    if (port === 6379) throw new Error('refusing port 6379');
    const server = await RedisServer.start({ port, dir, disableThp: true }, cleanup);
    group.adopt(server.pid);
    log(`redis-server pid ${server.pid} on ${port} in ${group.path}; RDB dir ${dir}`);

    const redis = connectLoopback(port);
    const sampler = connectLoopback(port);
    for (const r of [redis, sampler]) {
      await r.connect();
      cleanup.add('close a control connection', async () => r.disconnect(), () => r.disconnect());
    }
    await redis.config('SET', 'shutdown-timeout', '0');
    const atStart = group.sample();

    const { keys, fill } = await fillUncompressed(redis, spec.datasetMib, spec.valueBytes, log);
    await redis.config('SET', 'rdb-save-incremental-fsync', spec.incrementalFsync ? 'yes' : 'no');
    const { bytesPerKey, probes, plan } = await stretchSaves(redis, server, keys, spec.saveTargetSec);
    // The probes' dump.rdb would sit in the cache (or the tmpfs) and be replaced at the measured
    // save's rename: unlinking it frees its pages, so the measured save starts from none.
    const dump = join(dir, 'dump.rdb');
    if (existsSync(dump)) unlinkSync(dump);
    log(`save: ${probes[0]!.per_key_us} µs/key without delay; rdb-key-save-delay ${plan.delay}, predicted ${round(plan.predictedSec, 1)} s`);

    let limitBytes: number | null = null;
    if (limitBase !== undefined) {
      limitBytes = Math.ceil((limitBase + spec.limitAboveAnonPeakMib! * MiB) / 4096) * 4096;
      group.setLimitBytes(limitBytes);
      log(`memory.limit_in_bytes ${limitBytes} (disk-fsync anon peak ${limitBase} + ${spec.limitAboveAnonPeakMib} MiB)`);
    }
    const config = await configGet(redis, CONFIG);

    const load = await WriteLoad.start({
      port,
      keys,
      keySpace: fill.keySpace,
      valueBytes: spec.valueBytes,
      distribution: { type: 'uniform' },
      writesPerSec: spec.writesPerSec,
      seed: 7,
      maxInflight: defaultMaxInflight(spec.valueBytes),
    });
    cleanup.add('stop the write load', async () => void (await load.stop()), () => undefined);

    const loadavgBeforeSave = loadavg().map((l) => round(l, 2));
    let zeroAt = performance.now() + LEAD_SEC * 1000;
    let zeroEpochMs = 0;
    const tNow = () => (performance.now() - zeroAt) / 1000;
    let triggered = false;
    let childPid: number | undefined;
    let childStart: number | undefined;
    let childEnd: number | undefined;
    let baseCounts = load.counts();
    const series: CgroupSample[] = [];
    let next = performance.now();
    for (;;) {
      if (interruptedBy()) throw new Error(`interrupted by ${interruptedBy()}`);
      if (!triggered && performance.now() >= zeroAt) {
        baseCounts = load.counts();
        group.resetMaxUsage();
        zeroAt = performance.now();
        zeroEpochMs = Date.now();
        await redis.bgsave();
        triggered = true;
        log('t = 0: BGSAVE');
      }
      if (triggered && childPid === undefined) {
        const pid = liveChild(server.pid);
        if (pid !== undefined) {
          server.trackForkChild(pid);
          childPid = pid;
          childStart = tNow();
        }
      }
      const smaps = childPid !== undefined && childEnd === undefined ? readSmapsRollup(childPid) : undefined;
      if (childPid !== undefined && childEnd === undefined && !smaps) childEnd = tNow();
      const cg = group.sample();
      const t = tNow();
      const info = parseInfo(String((await sampler.call('INFO', 'memory', 'persistence').catch(() => '')) ?? ''));
      const temp = childPid !== undefined ? fileSizes(join(dir, `temp-${childPid}.rdb`)) : undefined;
      const file = temp ?? fileSizes(dump);
      const stat = (f: V1StatField) => cg.stat[f];
      series.push({
        t_s: round(t, 3),
        usage_bytes: cg.usage_bytes,
        kmem_usage_bytes: cg.kmem_usage_bytes,
        cache: stat('cache'),
        rss: stat('rss'),
        rss_huge: stat('rss_huge'),
        shmem: stat('shmem'),
        mapped_file: stat('mapped_file'),
        dirty: stat('dirty'),
        writeback: stat('writeback'),
        active_file: stat('active_file'),
        inactive_file: stat('inactive_file'),
        active_anon: stat('active_anon'),
        inactive_anon: stat('inactive_anon'),
        pgmajfault: stat('pgmajfault'),
        child_pid: smaps ? childPid! : null,
        child_private_dirty_bytes: smaps?.Private_Dirty ?? null,
        parent_rss_bytes: readProcStat(server.pid)?.rssBytes ?? null,
        used_memory: infoNumber(info, 'used_memory'),
        used_memory_rss: infoNumber(info, 'used_memory_rss'),
        rdb_bgsave_in_progress: infoNumber(info, 'rdb_bgsave_in_progress'),
        rdb_file_bytes: file?.bytes ?? null,
        rdb_file_alloc_bytes: file?.alloc ?? null,
        writes_acked: load.counts().acked - baseCounts.acked,
      });
      if (childEnd !== undefined && t - childEnd >= spec.afterChildSec) break;
      if (t >= spec.horizonSec) break;
      if (server.exited) break;
      next = Math.max(next + SAMPLE_MS, performance.now());
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
    }
    const writer = await load.stop();
    const persistence = parseInfo(String(await redis.call('INFO', 'persistence').catch(() => '')));
    const counters = group.counters();
    const peak = (f: (s: CgroupSample) => number | null) => series.reduce((best, s) => Math.max(best, f(s) ?? 0), 0);
    const before = series.find((s) => s.t_s >= 0) ?? series[0]!;
    const last = series.at(-1)!;
    return {
      name,
      description: spec.description,
      command: `npx tsx validation/cgroup-probe.ts ${name}`,
      measured_at: new Date(zeroEpochMs).toISOString(),
      t0: 'BGSAVE sent',
      environment: {
        ...host,
        thp_system_setting: readThp(),
        cgroup: {
          version: 1,
          memory_root: '/sys/fs/cgroup/memory',
          cgroup2_controllers: v2Controllers(),
          group_limit_bytes: group.limitBytes(),
          move_charge_at_immigrate: 0,
        },
        rdb_filesystem: spec.rdbOn === 'tmpfs' ? `tmpfs size=${TMPFS_SIZE} mounted for the run` : fsTypeOf(dir),
        vm_dirty: vmDirty(),
        waited_for_tests_sec: waitedSec,
        loadavg_before_save: loadavgBeforeSave,
        loadavg_at_end: loadavg().map((l) => round(l, 2)),
        port,
        harness_wall_seconds: round((performance.now() - wallStart) / 1000, 1),
      },
      spec,
      config,
      dataset: fill.record,
      save: {
        rdb_bytes_per_key: round(bytesPerKey, 1),
        probes,
        rdb_key_save_delay: plan.delay,
        predicted_save_seconds: round(plan.predictedSec, 2),
        child_start_s: childStart === undefined ? null : round(childStart, 3),
        child_end_s: childEnd === undefined ? null : round(childEnd, 3),
        rdb_last_bgsave_status: persistence.rdb_last_bgsave_status ?? null,
        rdb_last_cow_size: infoNumber(persistence, 'rdb_last_cow_size'),
        rdb_file_bytes: last.rdb_file_bytes,
      },
      load: {
        writes_per_sec: spec.writesPerSec,
        acked: writer.counts.acked - baseCounts.acked,
        errors: writer.counts.errors,
        first_error: writer.firstError,
      },
      cgroup_at_server_start: { usage_bytes: atStart.usage_bytes, ...atStart.stat },
      limit_bytes: limitBytes,
      summary: {
        usage_before_bytes: before.usage_bytes,
        cache_before_bytes: before.cache,
        rss_before_bytes: before.rss,
        shmem_before_bytes: before.shmem,
        peak_usage_bytes: peak((s) => s.usage_bytes),
        peak_cache_bytes: peak((s) => s.cache),
        peak_rss_bytes: peak((s) => s.rss),
        peak_anon_plus_shmem_bytes: peak((s) => s.rss + s.shmem),
        peak_shmem_bytes: peak((s) => s.shmem),
        peak_dirty_bytes: peak((s) => s.dirty),
        peak_writeback_bytes: peak((s) => s.writeback),
        peak_child_private_dirty_bytes: peak((s) => s.child_private_dirty_bytes),
        usage_after_bytes: last.usage_bytes,
        cache_after_bytes: last.cache,
        shmem_after_bytes: last.shmem,
        dirty_after_bytes: last.dirty,
        max_usage_in_bytes: counters.max_usage_bytes,
        failcnt: counters.failcnt,
        oom_kill: counters.oom_kill,
      },
      series,
    };
  } finally {
    const failures = await cleanup.runAll();
    unguard();
    for (const failure of failures) log(`cleanup failed: ${failure}`);
  }
}

function fsTypeOf(dir: string): string {
  try {
    return execFileSync('stat', ['-f', '-c', '%T', dir], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

function vmDirty(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of ['dirty_background_ratio', 'dirty_ratio', 'dirty_background_bytes', 'dirty_bytes', 'dirty_expire_centisecs', 'dirty_writeback_centisecs']) {
    try {
      out[name] = Number(readFileSync(`/proc/sys/vm/${name}`, 'utf8').trim());
    } catch {
      // not Linux
    }
  }
  return out;
}

/** One sample per line, so a diff shows which moments changed. */
function formatRun(run: Awaited<ReturnType<typeof runCgroupProbe>>): string {
  const { series, ...rest } = run;
  const head = JSON.stringify(rest, null, 2).slice(0, -2);
  return `${head},\n  "series": [\n${series.map((s) => '    ' + JSON.stringify(s)).join(',\n')}\n  ]\n}\n`;
}

probeMain(import.meta.url, { tool: 'cgroup-probe', runs: RUNS, fixtureDir: 'test/fixtures/container', measure: runCgroupProbe, format: formatRun });
