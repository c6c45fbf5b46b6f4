// Sampling a BGSAVE while it runs: every ~100 ms the child's smaps_rollup (Private_Dirty is the
// copy-on-write truth), the parent's RSS and faults, INFO's own view, the RDB file's growth and
// the write counters; a 5 ms watcher notes the moment the child exits. Two samples after the
// exit (child fields null) close the series, as in the ground truth.
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { fileBytes } from './files.js';
import type { RunSample } from '../measured-run/schema.js';
import { round } from '../engine/numbers.js';
import { hasExited, readProcStat, readSmapsRollup, type ProcStat } from './proc.js';
import { infoNumber, parseInfo } from './redis-info.js';
import type { RedisServer } from './redis-server.js';
import { readThp } from './thp.js';
import { ZERO_WRITER_COUNTS, type WriterCounts } from './writer-protocol.js';
import type { WriteLoad } from './writer.js';

const EXIT_WATCH_MS = 5;
const SAMPLES_AFTER_EXIT = 2;

export interface SamplerOptions {
  redis: Redis;
  server: RedisServer;
  childPid: number;
  /** performance.now() when BGSAVE was sent: t_s = 0. */
  startedAt: number;
  load: WriteLoad | undefined;
  /** Writer counts when BGSAVE was sent. */
  baseline: WriterCounts;
  intervalMs: number;
  rdbBytesPerKey: number | null;
  /** Record the host THP switch in each sample. */
  watchThp: boolean;
  /** Give up on a child that lives longer than this. */
  maxSec: number;
}

export interface Sampling {
  series: RunSample[];
  /** performance.now() when the child was seen gone or a zombie. */
  exitedAt: number;
  countsAtExit: WriterCounts;
  parentAtExit: ProcStat | undefined;
  /** The child's stat as a zombie or last alive: its CPU time. */
  childLast: ProcStat | undefined;
  thpValuesSeen: string[];
}




export async function sampleSnapshot(options: SamplerOptions): Promise<Sampling> {
  const { redis, server, childPid, startedAt, load, baseline } = options;
  const counts = () => load?.counts() ?? ZERO_WRITER_COUNTS;
  let exitedAt: number | undefined;
  let countsAtExit: WriterCounts | undefined;
  let parentAtExit: ProcStat | undefined;
  let childLast: ProcStat | undefined;

  const watch = () => {
    if (exitedAt !== undefined) return;
    const stat = readProcStat(childPid);
    if (stat) childLast = stat;
    if (stat === undefined || hasExited(stat)) {
      exitedAt = performance.now();
      countsAtExit = counts();
      parentAtExit = readProcStat(server.pid);
      load?.closeWindow();
    }
  };
  const watcher = setInterval(watch, EXIT_WATCH_MS);

  const series: RunSample[] = [];
  const thpValuesSeen = new Set<string>();
  const tempRdb = join(server.dir, `temp-${childPid}.rdb`);
  let after = 0;
  let next = startedAt;
  try {
    while (after < SAMPLES_AFTER_EXIT) {
      watch();
      const now = performance.now();
      if (exitedAt === undefined && now - startedAt > options.maxSec * 1000) {
        throw new Error(`BGSAVE child ${childPid} still running after ${options.maxSec} s`);
      }
      const child = exitedAt === undefined ? readSmapsRollup(childPid) : undefined;
      const childStat = child ? childLast : undefined;
      const parent = readProcStat(server.pid);
      const parentSmaps = readSmapsRollup(server.pid);
      const c = counts();
      const rdbBytes = child ? fileBytes(tempRdb) : null;
      const infoStarted = performance.now();
      const info = parseInfo(String(await redis.call('INFO', 'persistence', 'memory')));
      const infoMs = performance.now() - infoStarted;
      const thp = options.watchThp ? readThp() : null;
      if (thp) thpValuesSeen.add(thp);
      const processed = infoNumber(info, 'current_save_keys_processed');
      series.push({
        t_s: round((now - startedAt) / 1000, 3),
        child_private_dirty_bytes: child?.Private_Dirty ?? null,
        child_private_clean_bytes: child?.Private_Clean ?? null,
        child_rss_bytes: child?.Rss ?? null,
        child_pss_bytes: child?.Pss ?? null,
        child_anon_huge_bytes: child?.AnonHugePages ?? null,
        parent_rss_bytes: parent?.rssBytes ?? 0,
        parent_private_dirty_bytes: parentSmaps?.Private_Dirty ?? 0,
        parent_anon_huge_bytes: parentSmaps?.AnonHugePages ?? 0,
        info_current_cow_size: infoNumber(info, 'current_cow_size'),
        info_current_cow_peak: infoNumber(info, 'current_cow_peak'),
        fork_perc: infoNumber(info, 'current_fork_perc'),
        keys_processed: processed,
        rdb_temp_bytes: rdbBytes,
        keys_processed_est_from_rdb: rdbBytes !== null && options.rdbBytesPerKey ? Math.round(rdbBytes / options.rdbBytesPerKey) : null,
        used_memory: infoNumber(info, 'used_memory'),
        used_memory_rss: infoNumber(info, 'used_memory_rss'),
        bgsave_in_progress: infoNumber(info, 'rdb_bgsave_in_progress'),
        writes_so_far: c.acked - baseline.acked,
        writes_sent_so_far: c.sent - baseline.sent,
        distinct_keys_written: c.distinctWindow,
        parent_minflt: parent?.minflt ?? 0,
        parent_utime_s: parent?.utimeSec ?? 0,
        parent_stime_s: parent?.stimeSec ?? 0,
        child_minflt: childStat?.minflt ?? null,
        child_utime_s: childStat?.utimeSec ?? null,
        child_stime_s: childStat?.stimeSec ?? null,
        info_ms: round(infoMs, 2),
        thp_switch: thp,
      } as RunSample);
      // The child can exit between watch() and the smaps read: count a sample as after the exit
      // only once the exit is recorded, so that exitedAt and countsAtExit are always set.
      if (!child) {
        watch();
        if (exitedAt !== undefined) after++;
      }
      next = Math.max(next + options.intervalMs, performance.now());
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
    }
  } finally {
    clearInterval(watcher);
  }
  return {
    series,
    exitedAt: exitedAt!,
    countsAtExit: countsAtExit!,
    parentAtExit,
    childLast,
    thpValuesSeen: [...thpValuesSeen],
  };
}
