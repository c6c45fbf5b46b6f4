// The fork event a trigger sets off: when each child lives, and the memory the parent and the
// replicas hold beside the copy-on-write meanwhile. A BGSAVE is one child over the save; an AOF
// rewrite is one child, on 6.2 with the rewrite buffer and the parent's final write; a full
// sync is every fork its replicas' requests and drops bring (replication.ts).

import { simulateAofRewrite } from './aof-rewrite-buffer.js';
import { DEFAULT_MAX_FULL_SYNCS } from './defaults.js';
import { offeredRateAt } from './offered-load.js';
import { simulateFullSync, type ReplicationEvent, type SyncOutcome } from './replication.js';
import type { ResolvedRun } from './resolve.js';
import type { StepSeries } from './step-series.js';

/** write(2) into the page cache: 512 MiB with dd bs=1M at 2.5–2.6 GB/s on the reference VM. */
export const PAGE_CACHE_WRITE_BYTES_PER_SEC = 2.5e9;

export interface ChildPlan {
  startSec: number;
  /** When the child exits (done or killed) and its memory is released. */
  endSec: number;
  /** Its whole save, fork to exit when not killed: progress is elapsed / lifeSec. */
  lifeSec: number;
  killed: boolean;
  /** A file on disk (an RDB or the AOF base); a diskless sync's child writes none. */
  writesFile: boolean;
}

export interface ForkEvent {
  children: ChildPlan[];
  /** Last moment anything happens: the last child gone, the sync settled, or the horizon. */
  endSec: number;
  events: ReplicationEvent[];
  /** INFO mem_total_replication_buffers; null when nothing replicates. */
  replicationBuffer: StepSeries | null;
  /** One replica's used memory while it receives and loads; null without replicas. */
  replicaMemory: StepSeries | null;
  /** The 6.2 rewrite buffer: the parent's blocks, and the diff the child holds in its heap. */
  aofParentBuffer: StepSeries | null;
  aofChildDiff: StepSeries | null;
  fullSync: {
    fullSyncs: number;
    syncOutcome: SyncOutcome;
    completedAtSec: number | null;
    memTotalReplicationBuffersPeakBytes: number;
  } | null;
  aofRewrite: { peakBytes: number; stallMs: number; stallAtSec: number } | null;
}

const childEvents = (children: readonly ChildPlan[]): ReplicationEvent[] =>
  children.flatMap((c) => [
    { kind: 'fork' as const, tSec: c.startSec },
    { kind: 'child-exited' as const, tSec: c.endSec },
  ]);

function bgsave(run: ResolvedRun): ForkEvent {
  const T = run.durationSec;
  const children = [{ startSec: 0, endSec: T, lifeSec: T, killed: false, writesFile: true }];
  return { children, endSec: T, events: childEvents(children), replicationBuffer: null, replicaMemory: null, aofParentBuffer: null, aofChildDiff: null, fullSync: null, aofRewrite: null };
}

function aofRewrite(run: ResolvedRun): ForkEvent {
  const aof = simulateAofRewrite({
    redisVersion: run.redisVersion,
    writesPerSec: (t) => offeredRateAt(run.load, t),
    bytesPerWrite: run.bytesPerWrite,
    rewriteSec: run.durationSec,
    rdbBytes: run.rdbBytes,
    diskWriteBytesPerSec: PAGE_CACHE_WRITE_BYTES_PER_SEC,
    hz: run.hz,
    stepSec: eventStepSec(run),
  });
  // On 6.2 the child reads the diff for up to 1 s more and writes it after the dataset.
  const endSec = aof.childExitSec;
  const children = [{ startSec: 0, endSec, lifeSec: run.durationSec, killed: false, writesFile: true }];
  const has62Buffer = run.redisVersion === '6.2';
  return {
    children,
    endSec: Math.max(endSec, aof.doneSec + aof.finalStallMs / 1000),
    events: childEvents(children),
    replicationBuffer: null,
    replicaMemory: null,
    aofParentBuffer: has62Buffer ? aof.parentBuffer : null,
    aofChildDiff: has62Buffer ? aof.childDiff : null,
    fullSync: null,
    aofRewrite: { peakBytes: aof.aofRewriteBufferPeakBytes, stallMs: aof.finalStallMs, stallAtSec: aof.doneSec },
  };
}

/**
 * The buffer models' step: fine enough to place every serverCron call (1/hz) to a tenth of its
 * period, and no finer than a 20,000th of a save, so that long saves stay cheap to follow.
 */
export function eventStepSec(run: ResolvedRun): number {
  return Math.min(0.1 / run.hz, Math.max(0.001, run.durationSec / 20_000));
}

function fullSync(run: ResolvedRun): ForkEvent {
  const r = run.replication;
  const sync = simulateFullSync({
    redisVersion: run.redisVersion,
    writesPerSec: (t) => offeredRateAt(run.load, t),
    bytesPerWrite: run.bytesPerWrite,
    saveDurationSec: run.durationSec,
    rdbBytes: run.rdbBytes,
    linkBytesPerSec: r.linkBytesPerSec,
    replicaLoadBytesPerSec: r.replicaLoadBytesPerSec,
    datasetBytes: run.usedMemoryBytes,
    replicaDisklessLoad: r.disklessLoad,
    replicaInitialBytes: r.replicaStartsEmpty ? 0 : run.usedMemoryBytes,
    diskless: r.diskless,
    disklessSyncDelaySec: r.disklessSyncDelaySec,
    replicas: r.replicas,
    outputBufferLimit: r.outputBufferLimit,
    saveRuleSet: run.saveConfigured,
    backlogBytes: r.backlogBytes,
    socketBufferBytes: r.socketBufferBytes,
    hz: run.hz,
    // A horizon given is followed to its end; without one, until it settles or a loop's 5th sync.
    ...(run.horizonSec === null ? { maxFullSyncs: DEFAULT_MAX_FULL_SYNCS } : { horizonSec: run.horizonSec, maxFullSyncs: Infinity }),
    stepSec: eventStepSec(run),
  });
  // A socket child streams while it saves: the slower of the two sets its pace.
  const lifeSec = r.diskless ? Math.max(run.durationSec, run.rdbBytes / r.linkBytesPerSec) : run.durationSec;
  const children = sync.forks.map((f) => ({
    startSec: f.startSec,
    endSec: f.endSec ?? sync.endSec,
    lifeSec,
    killed: f.killed,
    writesFile: f.target === 'disk',
  }));
  return {
    children,
    endSec: Math.max(sync.endSec, ...children.map((c) => c.endSec)),
    events: sync.events,
    replicationBuffer: sync.replicationBuffer,
    replicaMemory: sync.replicaMemory,
    aofParentBuffer: null,
    aofChildDiff: null,
    fullSync: {
      fullSyncs: sync.fullSyncs,
      syncOutcome: sync.syncOutcome,
      completedAtSec: sync.completedAtSec,
      memTotalReplicationBuffersPeakBytes: sync.memTotalReplicationBuffersPeakBytes,
    },
    aofRewrite: null,
  };
}

export function planForkEvent(run: ResolvedRun): ForkEvent {
  if (run.trigger === 'aof-rewrite') return aofRewrite(run);
  if (run.trigger === 'full-sync') return fullSync(run);
  return bgsave(run);
}
