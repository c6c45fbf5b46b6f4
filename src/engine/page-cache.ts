// The file pages a fork event leaves in the page cache, over time: the RDB (or AOF base) each
// writing child produces, the file it replaces, and a running AOF's appends. Read from the Redis
// 7.0.15 / 6.2.16 source and held to test/fixtures/container/ (validation/CONTAINERS.md).
//
// - A disk-based save or AOF rewrite child writes a temp file (`src/rdb.c` rdbSave:
//   temp-<pid>.rdb) from its fork to its exit; a diskless sync's child writes to a pipe, no
//   file. Every page written is cached (and charged to the writer's cgroup). The file grows
//   with the child's progress, linearly over the save's duration.
// - Dirty pages. With rdb-save-incremental-fsync (default yes) `src/rio.c` rioFileWrite syncs
//   every REDIS_AUTOSYNC_BYTES: at most one 4 MiB chunk is dirty (7.0 starts writeback of it
//   with sync_file_range and waits on the one before; 6.2 fsyncs it). Without it everything
//   written stays dirty until rdbSave's final fsync (no per-cgroup dirty limit on cgroup v1; the
//   global vm.dirty_* thresholds and 30 s expiry are not modelled). Measured: 4.0 MiB dirty peak
//   with, 243.6 of 244.8 MiB without.
// - A tmpfs file is shmem: never dirty, never written back, reclaimable only by swap.
// - At a successful end rdbSave renames the temp file over the target, which unlinks the
//   previous file; its pages go when the last open file description of it closes (measured
//   here: a file renamed over while an fd held it stayed cached until the close, one with no fd
//   was freed at the rename — validation/held-inode-probe.sh). The new file stays cached: 7.0
//   and 6.2 keep it (7.2's reclaimFilePageCache, PR #11248, is not in either).
// - A killed child's temp file is unlinked when the parent reaps it (backgroundSaveDoneHandlerDisk
//   → rdbRemoveTempFile, within one serverCron of the kill); its pages go then — taken here as
//   at the kill.
// - With appendonly the parent appends every write to the AOF (its incremental file in 7.0):
//   the file grows in the cache, dirty for at most the one second appendfsync everysec leaves
//   between background fsyncs (`src/aof.c` flushAppendOnlyFile).
// All writers are taken to target one path, so each successful one replaces the last.
import { DEFAULT_SAMPLE_INTERVAL_SEC } from './defaults.js';
import { PAGE_BYTES } from './jemalloc.js';
import { appendStep, type MutableStepSeries, seriesPeak, type StepSeries } from './step-series.js';

/** REDIS_AUTOSYNC_BYTES, `src/server.h`: rioFileWrite syncs the RDB every 4 MiB. */
export const REDIS_AUTOSYNC_BYTES = 4 * 1024 * 1024;
/** appendfsync everysec (the default): a background fsync once a second has passed. */
export const APPEND_FSYNC_INTERVAL_SEC = 1;
/** The series' step while a file grows: the engine's sample interval. */
export const DEFAULT_PAGE_CACHE_STEP_SEC = DEFAULT_SAMPLE_INTERVAL_SEC;

export interface ForkedWriter {
  startSec: number;
  /** Exit (or reap); null when still alive at the horizon. */
  endSec: number | null;
  killed: boolean;
  /** A disk-based save or AOF rewrite writes a file; a diskless sync's child writes none. */
  writesFile: boolean;
}

export interface PageCacheOptions {
  children: readonly ForkedWriter[];
  /** The file each writing child produces (rdb-size.ts). */
  rdbBytes: number;
  /** How long a child takes to write it, from its fork. */
  saveDurationSec: number;
  /** The file's directory is a tmpfs (a memory-backed emptyDir): its pages are shmem. */
  onTmpfs: boolean;
  /** rdb-save-incremental-fsync. */
  incrementalFsync: boolean;
  /** Pages of the file at the target path cached at t = 0 (an older dump.rdb). @defaultValue 0 */
  cachedAtForkBytes?: number;
  /** Something else (a replica still being sent it) holds the older file open until then. @defaultValue null */
  cachedAtForkHeldUntilSec?: number | null;
  /** A running AOF's append rate, bytes/s. @defaultValue 0 */
  appendBytesPerSec?: number;
  /** @defaultValue the last child's end (or its start + saveDurationSec if it has none) */
  horizonSec?: number;
  /** @defaultValue DEFAULT_PAGE_CACHE_STEP_SEC */
  stepSec?: number;
}

export interface PageCacheRun {
  /** Every file page, shmem and dirty ones included (cgroup v1 `cache`, v2 `file`). */
  cached: StepSeries;
  /** The part not yet written back (v1/v2 `dirty`): it cannot be reclaimed until it is. */
  dirty: StepSeries;
  /** The part on tmpfs (v1/v2 `shmem`). */
  shmem: StepSeries;
  peakCachedBytes: number;
  peakDirtyBytes: number;
  peakShmemBytes: number;
}

interface Instant {
  cached: number;
  dirty: number;
}

const inPages = (bytes: number) => Math.ceil(bytes / PAGE_BYTES) * PAGE_BYTES;
const roundSec = (t: number) => Math.round(t * 1e9) / 1e9;
/** Whether t has reached an event at `eventSec`; only passed it when `before`. */
const reached = (t: number, eventSec: number, before: boolean) => (before ? t > eventSec : t >= eventSec);

export function simulatePageCache(options: PageCacheOptions): PageCacheRun {
  const { children, rdbBytes, saveDurationSec, onTmpfs, incrementalFsync, cachedAtForkBytes = 0, cachedAtForkHeldUntilSec = null, appendBytesPerSec = 0 } = options;
  const stepSec = options.stepSec ?? DEFAULT_PAGE_CACHE_STEP_SEC;
  if (!(rdbBytes >= 0) || !(saveDurationSec > 0) || !(stepSec > 0) || !(appendBytesPerSec >= 0) || !(cachedAtForkBytes >= 0)) {
    throw new RangeError('rdbBytes, cachedAtForkBytes and appendBytesPerSec must be ≥ 0, saveDurationSec and stepSec > 0');
  }
  const writers = children.filter((c) => c.writesFile);
  for (const c of writers) if (c.endSec !== null && c.endSec < c.startSec) throw new RangeError(`a child ends (${c.endSec}) before it starts (${c.startSec})`);
  const horizonSec = options.horizonSec ?? children.reduce((h, c) => Math.max(h, c.endSec ?? c.startSec + saveDurationSec), 0);
  if (!Number.isFinite(horizonSec)) throw new RangeError('horizonSec must be finite');
  // Each successful writer's file replaces the one before it at its end.
  const renames = writers.filter((c) => !c.killed && c.endSec !== null).map((c) => c.endSec!).sort((a, b) => a - b);
  const firstRenameSec = renames[0] ?? Infinity;
  const oldFileFreedSec = Math.max(firstRenameSec, cachedAtForkHeldUntilSec ?? -Infinity);
  const appendDirtyBytes = appendBytesPerSec * APPEND_FSYNC_INTERVAL_SEC;

  // The state at t, or just before t when `before` (what an event at t has not yet changed).
  const at = (t: number, before: boolean): Instant => {
    let cached = 0;
    let dirty = 0;
    // The file at the target path: the older one until the first rename, then the newest; the
    // older one outlives the rename while something still holds it.
    const renamed = reached(t, firstRenameSec, before);
    cached += inPages(renamed ? rdbBytes : cachedAtForkBytes);
    if (renamed && !reached(t, oldFileFreedSec, before)) cached += inPages(cachedAtForkBytes);
    for (const c of writers) {
      if (!reached(t, c.startSec, before) || (c.endSec !== null && reached(t, c.endSec, before))) continue;
      const written = inPages(rdbBytes * Math.min(1, (t - c.startSec) / saveDurationSec));
      cached += written;
      if (!onTmpfs) dirty += incrementalFsync ? Math.min(written, REDIS_AUTOSYNC_BYTES) : written;
    }
    const appended = appendBytesPerSec * t;
    cached += inPages(appended);
    if (!onTmpfs) dirty += inPages(Math.min(appended, appendDirtyBytes));
    return { cached, dirty };
  };

  // Every step of the grid and every event, each once and in order (a typed array sorts by value
  // without a comparator: thousands of points per run).
  const marks: number[] = [0, roundSec(horizonSec)];
  for (let k = 1; k * stepSec < horizonSec; k++) marks.push(roundSec(k * stepSec));
  for (const c of writers) {
    marks.push(c.startSec, roundSec(c.startSec + saveDurationSec));
    if (c.endSec !== null) marks.push(c.endSec);
  }
  if (Number.isFinite(oldFileFreedSec)) marks.push(oldFileFreedSec);
  const sorted = Float64Array.from(marks.filter((x) => x >= 0 && x <= horizonSec)).sort();
  const times = sorted.filter((x, i) => i === 0 || x !== sorted[i - 1]);
  // Between two points nothing but growth happens, so each step holds the value its interval
  // ends with: never below the truth, at most one step's growth above it, and the peak exact.
  const cached: MutableStepSeries = { tSec: [], bytes: [] };
  const dirty: MutableStepSeries = { tSec: [], bytes: [] };
  const shmem: MutableStepSeries = { tSec: [], bytes: [] };
  times.forEach((t, i) => {
    const s = i + 1 < times.length ? at(times[i + 1]!, true) : at(t, false);
    appendStep(cached, t, s.cached);
    appendStep(dirty, t, s.dirty);
    appendStep(shmem, t, onTmpfs ? s.cached : 0);
  });
  return { cached, dirty, shmem, peakCachedBytes: seriesPeak(cached), peakDirtyBytes: seriesPeak(dirty), peakShmemBytes: seriesPeak(shmem) };
}
