// A master serving a full sync to its replicas, from the first request until the replicas have
// loaded the RDB, the horizon, or a disconnect loop has run its course: when each fork happens,
// what the master buffers for the replicas meanwhile, and when client-output-buffer-limit drops
// them. Read from the Redis 7.0.15 and 6.2.16 source (validation/REPLICATION.md names each
// function) and held to the measured runs in test/fixtures/replication/.
//
// - Fork: disk-based at once when no child runs (`src/replication.c` syncCommand →
//   startBgsaveForReplication); diskless with a delay from replicationCron (1 Hz) once the
//   waiting replica has been idle `repl-diskless-sync-delay` whole seconds of `server.unixtime`
//   (shouldStartChildReplication); any mode right after a child is reaped (`src/server.c`
//   checkChildrenDone → replicationStartPendingFork), itself run from serverCron at `hz`.
// - Buffer: a replica waiting for the fork is fed nothing (canFeedReplicaReplBuffer); from the
//   fork every write is held for it until it can read: disk-based until the file is sent and
//   loaded (the master may write into the TCP connection once the replica is online, which the
//   replica leaves unread while it loads), diskless until it has loaded and sent REPLCONF ACK
//   (repl_start_cmd_stream_on_ack: nothing enters the socket before).
// - Limits: checked when a block is added (feedReplicationBuffer) and by clientsCron (every
//   serverCron call with few clients); hard at usage ≥ hard, soft once usage ≥ soft has lasted
//   more than softSec whole seconds of unixtime (checkClientOutputBufferLimits).
// - Drop: the disk child is killed when no save rule is set and no other replica waits for it
//   (`src/networking.c` freeClient, PR #7819); a socket child when its last replica drops
//   (rdbPipeReadHandler). The replica reconnects at once and asks for a full sync again
//   (readSyncBulkPayload → cancelReplicationHandshake; every retry is a full resync).
// All replicas are taken to ask together and run alike, so they drop together.
import { appendStep, type MutableStepSeries, type StepSeries } from './step-series.js';
import { writeRateAt, type WriteRate } from './replication-stream.js';
import { blockGeometry, DEFAULT_BACKLOG_BYTES, effectiveHardLimitBytes, replicaUsageBytes, replicationBufferBytes, type RedisVersion } from './replication-buffer.js';

export type { StepSeries, WriteRate };
export { bytesAt, seriesPeak } from './step-series.js';

export interface OutputBufferLimit {
  /** Disconnect at this usage; 0 disables. @defaultValue 256 MiB (`src/config.c` clientBufferLimitsDefaults) */
  hardBytes: number;
  /** Disconnect when usage stays at or above this for more than softSec; 0 disables. @defaultValue 64 MiB */
  softBytes: number;
  /** @defaultValue 60 */
  softSec: number;
}

export const DEFAULT_OUTPUT_BUFFER_LIMIT: OutputBufferLimit = { hardBytes: 256 * 1024 * 1024, softBytes: 64 * 1024 * 1024, softSec: 60 };

export interface FullSyncOptions {
  redisVersion: RedisVersion;
  writesPerSec: WriteRate;
  /** Replication stream bytes per write (see replication-stream.ts). */
  bytesPerWrite: number;
  /** The child's save of the dataset, from fork to exit. */
  saveDurationSec: number;
  rdbBytes: number;
  linkBytesPerSec: number;
  replicaLoadBytesPerSec: number;
  /** repl-diskless-sync. */
  diskless: boolean;
  /** repl-diskless-sync-delay. @defaultValue 5 */
  disklessSyncDelaySec?: number;
  /** @defaultValue 1 */
  replicas?: number;
  outputBufferLimit?: OutputBufferLimit;
  /** A `save` rule is configured: a disk child runs on when its replica drops. @defaultValue false */
  saveRuleSet?: boolean;
  /** repl-backlog-size. @defaultValue 1 MiB */
  backlogBytes?: number;
  /**
   * Bytes the TCP connection takes off the master's buffer once a disk-based replica is online
   * while it loads (socket send and receive buffers; loopback tuning differs from a real
   * link). @defaultValue 0, which overstates the peak rather than understating it
   */
  socketBufferBytes?: number;
  /** serverCron frequency (`hz`). @defaultValue 10 (CONFIG_DEFAULT_HZ) */
  hz?: number;
  /** When, within a second, replicationCron runs (0 ≤ x < 1). @defaultValue 0 */
  cronPhaseSec?: number;
  /** The fractional part of unix time at t = 0 (0 ≤ x < 1). @defaultValue 0 */
  unixFractionAtZeroSec?: number;
  /**
   * From a disconnect to the replica's new PSYNC. @defaultValue 0.015 (measured 12–18 ms,
   * disk-sync-obuf-loop.json: "Connection with replica … lost" → "asks for synchronization")
   */
  reconnectSec?: number;
  /** @defaultValue Infinity (until the sync settles or maxFullSyncs) */
  horizonSec?: number;
  /** @defaultValue 5 */
  maxFullSyncs?: number;
  /** @defaultValue 0.001 */
  stepSec?: number;
}

export type ForkTarget = 'disk' | 'socket';
export interface ForkRecord {
  startSec: number;
  /** When the master reaped the child (checkChildrenDone); null if alive at the end. */
  endSec: number | null;
  killed: boolean;
  target: ForkTarget;
}

export type ReplicationEventKind = 'fork' | 'replica-disconnected' | 'sync-completed' | 'child-exited';
export interface ReplicationEvent {
  kind: ReplicationEventKind;
  tSec: number;
}

/** `in-progress`: the horizon ended before the sync settled, with no disconnect. */
export type SyncOutcome = 'completed' | 'disconnect-loop' | 'not-applicable' | 'in-progress';

export interface FullSyncRun {
  forks: ForkRecord[];
  events: ReplicationEvent[];
  /** Full sync requests, as INFO `sync_full` counts them. */
  fullSyncs: number;
  syncOutcome: SyncOutcome;
  completedAtSec: number | null;
  endSec: number;
  /** INFO `mem_total_replication_buffers`. */
  replicationBuffer: StepSeries;
  /** One replica's CLIENT LIST `omem`, the figure the limits are checked against. */
  replicaOutputBuffer: StepSeries;
  /** Includes the block allocated just before a replica is dropped for it. */
  memTotalReplicationBuffersPeakBytes: number;
  /** The largest `omem` one replica reached, the block that passed a limit included. */
  replicaOutputBufferPeakBytes: number;
}

type ReplicaState = 'gave-up' | 'reconnecting' | 'wait-start' | 'wait-end' | 'send-bulk' | 'loading' | 'synced';
const FED: ReadonlySet<ReplicaState> = new Set(['wait-end', 'send-bulk', 'loading']);
const MAX_STEPS = 50_000_000;

function validate(o: FullSyncOptions): void {
  const positive: Array<[string, number]> = [['linkBytesPerSec', o.linkBytesPerSec], ['replicaLoadBytesPerSec', o.replicaLoadBytesPerSec], ['bytesPerWrite', o.bytesPerWrite]];
  for (const [name, value] of positive) if (!(value > 0)) throw new RangeError(`${name} must be positive, got ${value}`);
  if (!(o.saveDurationSec >= 0) || !(o.rdbBytes >= 0)) throw new RangeError('saveDurationSec and rdbBytes must be non-negative');
}

export function simulateFullSync(options: FullSyncOptions): FullSyncRun {
  validate(options);
  const {
    redisVersion: version,
    writesPerSec,
    bytesPerWrite,
    saveDurationSec,
    rdbBytes,
    linkBytesPerSec,
    replicaLoadBytesPerSec,
    diskless,
    disklessSyncDelaySec = 5,
    replicas = 1,
    outputBufferLimit = DEFAULT_OUTPUT_BUFFER_LIMIT,
    saveRuleSet = false,
    backlogBytes = DEFAULT_BACKLOG_BYTES,
    socketBufferBytes = 0,
    hz = 10,
    cronPhaseSec = 0,
    unixFractionAtZeroSec = 0,
    reconnectSec = 0.015,
    horizonSec = Infinity,
    maxFullSyncs = 5,
    stepSec = 0.001,
  } = options;
  const geometry = blockGeometry(version, bytesPerWrite);
  const hardBytes = effectiveHardLimitBytes(version, outputBufferLimit.hardBytes, backlogBytes);
  const { softBytes, softSec } = outputBufferLimit;
  const unixSec = (t: number) => Math.floor(unixFractionAtZeroSec + t + 1e-9);
  const serverCronPeriodSec = 1 / hz;
  // Index of the serverCron call at or after t; every hz-th is also replicationCron.
  const cronIndexAtOrAfter = (t: number) => Math.ceil((t - cronPhaseSec) / serverCronPeriodSec - 1e-9);

  const forks: ForkRecord[] = [];
  const events: ReplicationEvent[] = [];
  const buffer: MutableStepSeries = { tSec: [], bytes: [] };
  const omem: MutableStepSeries = { tSec: [], bytes: [] };
  let fullSyncs = 0;
  let disconnects = 0;
  let completedAtSec: number | null = null;
  let stopped = replicas <= 0;

  let child: { record: ForkRecord; exitSec: number } | null = null;
  let state = 'reconnecting' as ReplicaState;
  let stateEndSec = 0; // reconnect, send-bulk or loading ends
  let requestSec = 0;
  let heldBytes = 0;
  let socketRoomBytes = 0;
  let softSinceUnix: number | null = null;
  let backlogCreated = false;
  let streamSinceBacklogBytes = 0;

  let peakBytes = 0;
  let peakUsageBytes = 0;
  const usage = () => (FED.has(state) ? replicaUsageBytes(geometry, heldBytes) : 0);
  const bufferNow = () =>
    replicationBufferBytes({ version, geometry, backlogBytes, backlogCreated, streamSinceBacklogBytes, replicaHeldBytes: new Array(replicas).fill(FED.has(state) ? heldBytes : 0) });
  const snapshot = (t: number) => {
    const bytes = bufferNow();
    peakBytes = Math.max(peakBytes, bytes);
    peakUsageBytes = Math.max(peakUsageBytes, usage());
    appendStep(omem, t, usage());
    appendStep(buffer, t, bytes);
  };

  const fork = (t: number) => {
    const target: ForkTarget = diskless ? 'socket' : 'disk';
    // A socket child streams while it saves: the slower of the two decides its life.
    const lifeSec = diskless ? Math.max(saveDurationSec, rdbBytes / linkBytesPerSec) : saveDurationSec;
    const rec: ForkRecord = { startSec: t, endSec: null, killed: false, target };
    forks.push(rec);
    child = { record: rec, exitSec: t + lifeSec };
    events.push({ kind: 'fork', tSec: t });
    state = 'wait-end';
    heldBytes = 0;
    softSinceUnix = null;
  };

  /** replicationStartPendingFork → shouldStartChildReplication. */
  const startPendingFork = (t: number) => {
    if (child || state !== 'wait-start') return;
    if (!diskless || unixSec(t) - unixSec(requestSec) >= disklessSyncDelaySec) fork(t);
  };

  const request = (t: number) => {
    if (fullSyncs >= maxFullSyncs) {
      // No more requests; run on until the last child is reaped so that every fork has its end.
      state = 'gave-up';
      if (!child) stopped = true;
      return;
    }
    fullSyncs++;
    backlogCreated = true; // syncCommand creates it for the first replica
    state = 'wait-start';
    requestSec = t;
    // syncCommand forks at once for disk-based, and for diskless without a delay.
    if (!child && (!diskless || disklessSyncDelaySec === 0)) fork(t);
  };

  const drop = (t: number) => {
    events.push({ kind: 'replica-disconnected', tSec: t });
    disconnects++;
    const waitedForChild = state === 'wait-end';
    state = 'reconnecting';
    stateEndSec = t + reconnectSec;
    heldBytes = 0;
    softSinceUnix = null;
    if (child && waitedForChild && (child.record.target === 'socket' || !saveRuleSet)) {
      child.record.killed = true;
      child.exitSec = t;
    }
  };

  const checkLimits = (t: number) => {
    if (!FED.has(state)) return;
    const used = usage();
    if (hardBytes > 0 && used >= hardBytes) return drop(t);
    if (softBytes > 0 && used >= softBytes) {
      if (softSinceUnix === null) softSinceUnix = unixSec(t);
      else if (unixSec(t) - softSinceUnix > softSec) drop(t);
    } else softSinceUnix = null;
  };

  const reap = (t: number) => {
    if (!child || t < child.exitSec) return;
    child.record.endSec = t;
    events.push({ kind: 'child-exited', tSec: t });
    child = null;
    if (state === 'gave-up') stopped = true;
    if (state === 'wait-end') {
      if (diskless) {
        // The RDB reached the replica through the pipe; it loads, then ACKs to start the stream.
        state = 'loading';
        stateEndSec = t + rdbBytes / replicaLoadBytesPerSec;
        socketRoomBytes = 0;
      } else {
        state = 'send-bulk';
        stateEndSec = t + rdbBytes / linkBytesPerSec;
      }
    }
    startPendingFork(t);
  };

  const advanceState = (t: number) => {
    if (state === 'reconnecting' && t >= stateEndSec) request(t);
    if (state === 'send-bulk' && t >= stateEndSec) {
      // Online (replicaPutOnline): the master writes into the socket the replica leaves unread.
      state = 'loading';
      stateEndSec = t + rdbBytes / replicaLoadBytesPerSec;
      const absorbed = Math.min(heldBytes, socketBufferBytes);
      heldBytes -= absorbed;
      socketRoomBytes = socketBufferBytes - absorbed;
    }
    if (state === 'loading' && t >= stateEndSec) {
      state = 'synced';
      heldBytes = 0;
      completedAtSec = t;
      events.push({ kind: 'sync-completed', tSec: t });
      stopped = true;
    }
  };

  let t = 0;
  let nextCron = cronIndexAtOrAfter(0);
  for (let step = 0; !stopped && t < horizonSec; step++) {
    if (step > MAX_STEPS) throw new RangeError(`full sync did not settle within ${MAX_STEPS} steps; give horizonSec`);
    t = Math.round(step * stepSec * 1e9) / 1e9;
    advanceState(t);
    if (stopped) {
      snapshot(t);
      break;
    }

    const tickSec = cronPhaseSec + nextCron * serverCronPeriodSec;
    if (tickSec < t + stepSec - 1e-12) {
      reap(t);
      checkLimits(t);
      if (nextCron % hz === 0) startPendingFork(t);
      nextCron++;
    }

    const writes = writeRateAt(writesPerSec, t + stepSec / 2) * stepSec;
    const bytes = writes * bytesPerWrite;
    if (backlogCreated) streamSinceBacklogBytes += bytes;
    if (FED.has(state)) {
      const before = replicaUsageBytes(geometry, heldBytes);
      const intoSocket = state === 'loading' ? Math.min(socketRoomBytes, bytes) : 0;
      socketRoomBytes -= intoSocket;
      heldBytes += bytes - intoSocket;
      // The block that passes a limit is allocated before the check frees the replica.
      if (replicaUsageBytes(geometry, heldBytes) > before) {
        peakBytes = Math.max(peakBytes, bufferNow());
        peakUsageBytes = Math.max(peakUsageBytes, usage());
        checkLimits(Math.round((t + stepSec) * 1e9) / 1e9);
      }
    }
    snapshot(Math.round((t + stepSec) * 1e9) / 1e9);
  }
  const endSec = Math.min(t, horizonSec);

  const syncOutcome: SyncOutcome = replicas <= 0 ? 'not-applicable' : completedAtSec !== null ? 'completed' : disconnects > 0 ? 'disconnect-loop' : 'in-progress';
  return {
    forks,
    events,
    fullSyncs,
    syncOutcome,
    completedAtSec,
    endSec,
    replicationBuffer: buffer,
    replicaOutputBuffer: omem,
    memTotalReplicationBuffersPeakBytes: peakBytes,
    replicaOutputBufferPeakBytes: peakUsageBytes,
  };
}
