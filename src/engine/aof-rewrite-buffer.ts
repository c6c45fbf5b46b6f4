// The memory an AOF rewrite keeps beside the child's CoW, and the stall that ends it.
//
// 7.0 (multi-part AOF, PR #9788): none. `src/aof.c` rewriteAppendOnlyFileBackground opens a new
// incremental file and forks; new writes go there through the ordinary aof_buf. Measured:
// used_memory flat through a rewrite (test/fixtures/replication/aof-rewrite.json).
//
// 6.2 (6.2.16 `src/aof.c`), with aof-use-rdb-preamble the child does a BGSAVE's work, and:
// - the parent appends every write to `aof_rewrite_buf_blocks` (aofRewriteBufferAppend) in
//   blocks of AOF_RW_BUF_BLOCK_SIZE (10 MB) plus a 16 B header — jemalloc hands out its 12 MiB
//   class for each, of which 6.2 uses 10 MiB (the waste PR #8975 later reclaimed);
// - it pipes them to the child (aofChildWriteDiffData, freeing a block once it is all sent);
//   the child reads the pipe every AOF_READ_DIFF_INTERVAL_BYTES (10 KiB) of its own output
//   (`src/rdb.c` rdbSaveRio, `src/aof.c` aofReadDiffFromParent) into `aof_child_diff`, an sds in
//   its own heap — inside its Private_Dirty and aof_last_cow_size;
// - when the dataset is written the child keeps reading for up to 1 s while data comes at least
//   every 20 ms (rewriteAppendOnlyFile), asks the parent to stop sending ("!"), writes its diff
//   to the file and exits;
// - the parent, on reaping it (checkChildrenDone, at `hz`), writes what accumulated since the
//   stop itself, on the main thread (backgroundRewriteDoneHandler → aofRewriteBufferWrite,
//   latency event "aof-rewrite-diff-write"). That remainder — write rate × (child's final diff
//   write + exit + reap wait) — and the write speed decide the stall; not the rewrite's length.
// The 6.2 buffer sits outside maxmemory (`src/evict.c` freeMemoryGetNotCountedMemory).
import { DEFAULT_HZ } from './defaults.js';
import { sizeClass } from './jemalloc.js';
import { writeRateAt, type WriteRate } from './replication-stream.js';
import type { RedisVersion } from './replication-buffer.js';
import { appendStep, type MutableStepSeries, type StepSeries } from './step-series.js';

/** AOF_RW_BUF_BLOCK_SIZE, 6.2 `src/aof.c`. */
export const AOF_RW_BUF_BLOCK_BYTES = 1024 * 1024 * 10;
/** sizeof(aofrwblock) without buf: unsigned long used, free. */
export const AOF_RW_BLOCK_HEADER_BYTES = 16;
/** AOF_READ_DIFF_INTERVAL_BYTES, 6.2 `src/server.h`: the child drains the pipe this often. */
export const AOF_READ_DIFF_INTERVAL_BYTES = 1024 * 10;
/** The Linux default pipe capacity (pipe(7)); 6.2 aofCreatePipes does not resize it. */
export const PIPE_CAPACITY_BYTES = 64 * 1024;
/** rewriteAppendOnlyFile: the child's last read loop lasts at most 1000 ms… */
export const FINAL_READ_LOOP_SEC = 1;
/** …and ends after 20 contiguous 1 ms waits without data. */
export const FINAL_READ_IDLE_SEC = 0.02;
/** SDS_MAX_PREALLOC, `src/sds.h`: sdsMakeRoomFor doubles below it, adds it above. */
export const SDS_MAX_PREALLOC_BYTES = 1024 * 1024;

export interface AofRewriteOptions {
  redisVersion: RedisVersion;
  writesPerSec: WriteRate;
  /** AOF bytes per write: the command's RESP (replication-stream.ts). */
  bytesPerWrite: number;
  /** The child's write of the dataset (the RDB preamble), from fork. */
  rewriteSec: number;
  /** The preamble's size, which sets how often the child drains the pipe. */
  rdbBytes: number;
  /** How fast write(2) of the diff goes (to the page cache, or the disk when throttled). */
  diskWriteBytesPerSec: number;
  /** @defaultValue 10 */
  hz?: number;
  /** @defaultValue 0 */
  cronPhaseSec?: number;
  /** @defaultValue 0.001 */
  stepSec?: number;
}

export interface AofRewriteRun {
  /** When the child asked the parent to stop sending the diff (6.2). */
  stopSendingSec: number | null;
  childExitSec: number;
  /** When the parent reaped the child and wrote the remainder. */
  doneSec: number;
  /** The parent's rewrite-buffer blocks as allocated (12 MiB each). */
  parentBuffer: StepSeries;
  /** The child's `aof_child_diff` as allocated. */
  childDiff: StepSeries;
  /** Parent blocks plus the child's diff at the same moment, at their largest. */
  aofRewriteBufferPeakBytes: number;
  /** What the parent wrote itself at the end. */
  remainderBytes: number;
  finalStallMs: number;
}

export const AOF_BLOCK_ALLOCATED_BYTES = sizeClass(AOF_RW_BUF_BLOCK_BYTES + AOF_RW_BLOCK_HEADER_BYTES);

/** The sds capacity after appending up to `len`, from `capacity` (sdsMakeRoomFor's greedy growth). */
export function sdsCapacity(capacity: number, len: number): number {
  if (len <= capacity) return capacity;
  return len < SDS_MAX_PREALLOC_BYTES ? 2 * len : len + SDS_MAX_PREALLOC_BYTES;
}

export function simulateAofRewrite(options: AofRewriteOptions): AofRewriteRun {
  const { redisVersion, writesPerSec, bytesPerWrite, rewriteSec, rdbBytes, diskWriteBytesPerSec, hz = DEFAULT_HZ, cronPhaseSec = 0, stepSec = 0.001 } = options;
  if (!(diskWriteBytesPerSec > 0) || !(bytesPerWrite > 0)) throw new RangeError('diskWriteBytesPerSec and bytesPerWrite must be positive');
  const period = 1 / hz;
  const reapAt = (t: number) => Math.round((cronPhaseSec + Math.ceil((t - cronPhaseSec) / period - 1e-9) * period) * 1e9) / 1e9;
  const parentBuffer: MutableStepSeries = { tSec: [], bytes: [] };
  const childDiff: MutableStepSeries = { tSec: [], bytes: [] };

  if (redisVersion === '7.0') {
    const doneSec = reapAt(rewriteSec);
    return { stopSendingSec: null, childExitSec: rewriteSec, doneSec, parentBuffer, childDiff, aofRewriteBufferPeakBytes: 0, remainderBytes: 0, finalStallMs: 0 };
  }

  // While writing the dataset the child empties the pipe every 10 KiB of its output: at most a
  // pipe's worth per read. In its last loop it reads every millisecond.
  const datasetDrainBytesPerSec = rewriteSec > 0 ? (PIPE_CAPACITY_BYTES * rdbBytes) / rewriteSec / AOF_READ_DIFF_INTERVAL_BYTES : Infinity;
  const finalDrainBytesPerSec = PIPE_CAPACITY_BYTES / 0.001;
  const rateAtEnd = writeRateAt(writesPerSec, rewriteSec);
  const finalLoopSec = rateAtEnd * FINAL_READ_IDLE_SEC >= 1 ? FINAL_READ_LOOP_SEC : FINAL_READ_IDLE_SEC;
  const stopSendingSec = rewriteSec + finalLoopSec;

  let unsentBytes = 0;
  let receivedBytes = 0;
  let capacityBytes = 0;
  let childExitSec = Infinity;
  let peak = 0;
  const parentAllocated = (writing: boolean) => Math.max(writing ? 1 : 0, Math.ceil(unsentBytes / AOF_RW_BUF_BLOCK_BYTES)) * AOF_BLOCK_ALLOCATED_BYTES;

  let t = 0;
  for (let step = 0; ; step++) {
    t = Math.round(step * stepSec * 1e9) / 1e9;
    if (t >= stopSendingSec && childExitSec === Infinity) {
      // The child writes its diff after the last read, then exits.
      childExitSec = t + receivedBytes / diskWriteBytesPerSec;
    }
    if (t >= childExitSec && t >= reapAt(childExitSec)) break;
    const bytes = writeRateAt(writesPerSec, t + stepSec / 2) * stepSec * bytesPerWrite;
    unsentBytes += bytes;
    if (t < stopSendingSec) {
      const drained = Math.min(unsentBytes, (t < rewriteSec ? datasetDrainBytesPerSec : finalDrainBytesPerSec) * stepSec);
      unsentBytes -= drained;
      receivedBytes += drained;
      capacityBytes = sdsCapacity(capacityBytes, receivedBytes);
    }
    const childBytes = t < childExitSec && capacityBytes > 0 ? sizeClass(capacityBytes) : 0;
    // A block is allocated from the first write after the last one was drained and freed.
    const parentBytes = parentAllocated(bytes > 0);
    peak = Math.max(peak, parentBytes + childBytes);
    const at = Math.round((t + stepSec) * 1e9) / 1e9;
    appendStep(parentBuffer, at, parentBytes);
    appendStep(childDiff, at, childBytes);
  }
  const doneSec = t;
  const remainderBytes = unsentBytes;
  const finalStallMs = (remainderBytes / diskWriteBytesPerSec) * 1000;
  appendStep(childDiff, doneSec, 0);
  appendStep(parentBuffer, Math.round((doneSec + finalStallMs / 1000) * 1e9) / 1e9, 0);
  return { stopSendingSec, childExitSec, doneSec, parentBuffer, childDiff, aofRewriteBufferPeakBytes: peak, remainderBytes, finalStallMs };
}
