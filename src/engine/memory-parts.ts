// Where the memory of a fork event is at one moment: the parent (its dataset, what it inserted,
// the replication and rewrite buffers it allocates), the child (its copies, and on 6.2 the
// rewrite diff it reads into its heap), the page cache the saves fill, the page tables the fork
// copied; and what a memory limit must hold of that.

import type { ResolvedRun } from './resolve.js';
import { bytesAt, type StepSeries } from './step-series.js';

/** The series of what lives beside the copy-on-write, from the fork event. */
export interface MemoryBeside {
  replicationBuffer: StepSeries | null;
  aofParentBuffer: StepSeries | null;
  aofChildDiff: StepSeries | null;
  /** File pages cached, the part of them that is shmem (an RDB on tmpfs), and the dirty part. */
  pageCache: { cached: StepSeries; shmem: StepSeries; dirty: StepSeries } | null;
  replica: StepSeries | null;
  /** The child's copy of the page tables, while it lives. */
  pageTableBytes: number;
}

export interface MemoryParts {
  /** Parent RSS: the dataset, inserts, and the buffers it allocated. */
  parentBytes: number;
  /** The part of it that is the dataset and inserts. */
  datasetBytes: number;
  /** Child Private_Dirty: its copies and, on 6.2, the rewrite diff it holds. */
  childBytes: number;
  /** The copies alone (with the child's own baseline). */
  cowBytes: number;
  replicationBufferBytes: number;
  /** 6.2: the parent's rewrite blocks plus the child's diff. */
  aofRewriteBufferBytes: number;
  pageCacheBytes: number;
  shmemBytes: number;
  /** File pages not yet written back: reclaim must wait for them. */
  dirtyBytes: number;
  pageTableBytes: number;
  replicaBytes: number;
  /** anon + shmem (+ kernel page tables): what neither reclaim nor writeback can free. */
  unreclaimableBytes: number;
  /** What the host's limit must hold: the unreclaimable part and the reserve. */
  limitBytes: number;
}

const at = (series: StepSeries | null, t: number) => (series === null ? 0 : bytesAt(series, t));

export function memoryParts(run: ResolvedRun, beside: MemoryBeside, t: number, insertedBytes: number, cowHeldBytes: number, childAlive: boolean): MemoryParts {
  const replicationBufferBytes = at(beside.replicationBuffer, t);
  const aofParent = at(beside.aofParentBuffer, t);
  const aofChild = childAlive ? at(beside.aofChildDiff, t) : 0;
  const datasetBytes = run.usedMemoryRssBytes + insertedBytes;
  const parentBytes = datasetBytes + replicationBufferBytes + aofParent;
  const childBytes = cowHeldBytes + aofChild;
  const pageCacheBytes = beside.pageCache === null ? 0 : bytesAt(beside.pageCache.cached, t);
  const shmemBytes = beside.pageCache === null ? 0 : bytesAt(beside.pageCache.shmem, t);
  const dirtyBytes = beside.pageCache === null ? 0 : bytesAt(beside.pageCache.dirty, t);
  const pageTableBytes = childAlive ? beside.pageTableBytes : 0;
  const unreclaimableBytes = parentBytes + childBytes + shmemBytes + pageTableBytes;
  return {
    parentBytes,
    datasetBytes,
    childBytes,
    cowBytes: cowHeldBytes,
    replicationBufferBytes,
    aofRewriteBufferBytes: aofParent + aofChild,
    pageCacheBytes,
    shmemBytes,
    dirtyBytes,
    pageTableBytes,
    replicaBytes: at(beside.replica, t),
    unreclaimableBytes,
    limitBytes: unreclaimableBytes + run.host.reservedBytes,
  };
}
