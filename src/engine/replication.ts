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
import { blockGeometry, type BlockGeometry, DEFAULT_BACKLOG_BYTES, effectiveHardLimitBytes, replicaUsageBytes, replicationBufferBytes, type RedisVersion } from './replication-buffer.js';

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

/** The options with their defaults applied, and what follows from them alone. */
interface SyncConfig extends Required<Omit<FullSyncOptions, 'redisVersion' | 'outputBufferLimit'>> {
  version: RedisVersion;
  geometry: BlockGeometry;
  hardBytes: number;
  softBytes: number;
  softSec: number;
  serverCronPeriodSec: number;
}

/** The master's child and the replicas' state (all alike), and what the run records. */
interface SyncState {
  forks: ForkRecord[];
  events: ReplicationEvent[];
  buffer: MutableStepSeries;
  omem: MutableStepSeries;
  fullSyncs: number;
  disconnects: number;
  completedAtSec: number | null;
  stopped: boolean;
  child: { record: ForkRecord; exitSec: number } | null;
  replica: ReplicaState;
  /** When reconnecting, send-bulk or loading ends. */
  stateEndSec: number;
  requestSec: number;
  heldBytes: number;
  socketRoomBytes: number;
  softSinceUnix: number | null;
  backlogCreated: boolean;
  streamSinceBacklogBytes: number;
  /** Index of the next serverCron call. */
  nextCron: number;
  peakBytes: number;
  peakUsageBytes: number;
}

function validate(o: FullSyncOptions): void {
  const positive: Array<[string, number]> = [['linkBytesPerSec', o.linkBytesPerSec], ['replicaLoadBytesPerSec', o.replicaLoadBytesPerSec], ['bytesPerWrite', o.bytesPerWrite]];
  for (const [name, value] of positive) if (!(value > 0)) throw new RangeError(`${name} must be positive, got ${value}`);
  if (!(o.saveDurationSec >= 0) || !(o.rdbBytes >= 0)) throw new RangeError('saveDurationSec and rdbBytes must be non-negative');
}

function resolveConfig(options: FullSyncOptions): SyncConfig {
  const {
    redisVersion: version,
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
  const { writesPerSec, bytesPerWrite, saveDurationSec, rdbBytes, linkBytesPerSec, replicaLoadBytesPerSec, diskless } = options;
  return {
    version,
    writesPerSec,
    bytesPerWrite,
    saveDurationSec,
    rdbBytes,
    linkBytesPerSec,
    replicaLoadBytesPerSec,
    diskless,
    disklessSyncDelaySec,
    replicas,
    saveRuleSet,
    backlogBytes,
    socketBufferBytes,
    hz,
    cronPhaseSec,
    unixFractionAtZeroSec,
    reconnectSec,
    horizonSec,
    maxFullSyncs,
    stepSec,
    geometry: blockGeometry(version, bytesPerWrite),
    hardBytes: effectiveHardLimitBytes(version, outputBufferLimit.hardBytes, backlogBytes),
    softBytes: outputBufferLimit.softBytes,
    softSec: outputBufferLimit.softSec,
    serverCronPeriodSec: 1 / hz,
  };
}

function initialState(c: SyncConfig): SyncState {
  return {
    forks: [],
    events: [],
    buffer: { tSec: [], bytes: [] },
    omem: { tSec: [], bytes: [] },
    fullSyncs: 0,
    disconnects: 0,
    completedAtSec: null,
    stopped: c.replicas <= 0,
    child: null,
    // The first step's reconnect has already ended: the replicas ask at t = 0.
    replica: 'reconnecting',
    stateEndSec: 0,
    requestSec: 0,
    heldBytes: 0,
    socketRoomBytes: 0,
    softSinceUnix: null,
    backlogCreated: false,
    streamSinceBacklogBytes: 0,
    nextCron: cronIndexAtOrAfter(c, 0),
    peakBytes: 0,
    peakUsageBytes: 0,
  };
}

// --- Clocks ---

const unixSec = (c: SyncConfig, t: number) => Math.floor(c.unixFractionAtZeroSec + t + 1e-9);
/** Index of the serverCron call at or after t; every hz-th is also replicationCron. */
const cronIndexAtOrAfter = (c: SyncConfig, t: number) => Math.ceil((t - c.cronPhaseSec) / c.serverCronPeriodSec - 1e-9);
const roundSec = (t: number) => Math.round(t * 1e9) / 1e9;

// --- Memory: one replica's omem, the master's total, and their series ---

const usage = (c: SyncConfig, s: SyncState) => (FED.has(s.replica) ? replicaUsageBytes(c.geometry, s.heldBytes) : 0);

function bufferNow(c: SyncConfig, s: SyncState): number {
  const held = FED.has(s.replica) ? s.heldBytes : 0;
  const { version, geometry, backlogBytes } = c;
  return replicationBufferBytes({ version, geometry, backlogBytes, backlogCreated: s.backlogCreated, streamSinceBacklogBytes: s.streamSinceBacklogBytes, replicaHeldBytes: new Array(c.replicas).fill(held) });
}

function notePeaks(c: SyncConfig, s: SyncState, bytes = bufferNow(c, s)): void {
  s.peakBytes = Math.max(s.peakBytes, bytes);
  s.peakUsageBytes = Math.max(s.peakUsageBytes, usage(c, s));
}

function snapshot(c: SyncConfig, s: SyncState, t: number): void {
  const bytes = bufferNow(c, s);
  notePeaks(c, s, bytes);
  appendStep(s.omem, t, usage(c, s));
  appendStep(s.buffer, t, bytes);
}

// --- The fork train: requests, and when a fork starts ---

function fork(c: SyncConfig, s: SyncState, t: number): void {
  const target: ForkTarget = c.diskless ? 'socket' : 'disk';
  // A socket child streams while it saves: the slower of the two decides its life.
  const lifeSec = c.diskless ? Math.max(c.saveDurationSec, c.rdbBytes / c.linkBytesPerSec) : c.saveDurationSec;
  const record: ForkRecord = { startSec: t, endSec: null, killed: false, target };
  s.forks.push(record);
  s.child = { record, exitSec: t + lifeSec };
  s.events.push({ kind: 'fork', tSec: t });
  s.replica = 'wait-end';
  s.heldBytes = 0;
  s.softSinceUnix = null;
}

/** replicationStartPendingFork → shouldStartChildReplication. */
function startPendingFork(c: SyncConfig, s: SyncState, t: number): void {
  if (s.child || s.replica !== 'wait-start') return;
  if (!c.diskless || unixSec(c, t) - unixSec(c, s.requestSec) >= c.disklessSyncDelaySec) fork(c, s, t);
}

function requestFullSync(c: SyncConfig, s: SyncState, t: number): void {
  if (s.fullSyncs >= c.maxFullSyncs) {
    // No more requests; run on until the last child is reaped so that every fork has its end.
    s.replica = 'gave-up';
    if (!s.child) s.stopped = true;
    return;
  }
  s.fullSyncs++;
  s.backlogCreated = true; // syncCommand creates it for the first replica
  s.replica = 'wait-start';
  s.requestSec = t;
  // syncCommand forks at once for disk-based, and for diskless without a delay.
  if (!s.child && (!c.diskless || c.disklessSyncDelaySec === 0)) fork(c, s, t);
}

// --- The buffered stream, per fork ---

/** One step's writes: into the backlog, and held for the replicas once fed. */
function feedWrites(c: SyncConfig, s: SyncState, t: number): void {
  const writes = writeRateAt(c.writesPerSec, t + c.stepSec / 2) * c.stepSec;
  const bytes = writes * c.bytesPerWrite;
  if (s.backlogCreated) s.streamSinceBacklogBytes += bytes;
  if (!FED.has(s.replica)) return;
  const before = replicaUsageBytes(c.geometry, s.heldBytes);
  const intoSocket = s.replica === 'loading' ? Math.min(s.socketRoomBytes, bytes) : 0;
  s.socketRoomBytes -= intoSocket;
  s.heldBytes += bytes - intoSocket;
  // The block that passes a limit is allocated before the check frees the replica.
  if (replicaUsageBytes(c.geometry, s.heldBytes) > before) {
    notePeaks(c, s);
    checkLimits(c, s, roundSec(t + c.stepSec));
  }
}

// --- The disconnect check, and what a drop does ---

/** checkClientOutputBufferLimits: hard at once, soft once it has held more than softSec. */
function checkLimits(c: SyncConfig, s: SyncState, t: number): void {
  if (!FED.has(s.replica)) return;
  const used = usage(c, s);
  if (c.hardBytes > 0 && used >= c.hardBytes) return drop(c, s, t);
  if (c.softBytes > 0 && used >= c.softBytes) {
    if (s.softSinceUnix === null) s.softSinceUnix = unixSec(c, t);
    else if (unixSec(c, t) - s.softSinceUnix > c.softSec) drop(c, s, t);
  } else s.softSinceUnix = null;
}

function drop(c: SyncConfig, s: SyncState, t: number): void {
  s.events.push({ kind: 'replica-disconnected', tSec: t });
  s.disconnects++;
  const waitedForChild = s.replica === 'wait-end';
  // The replica reconnects at once and asks for a full sync again.
  s.replica = 'reconnecting';
  s.stateEndSec = t + c.reconnectSec;
  s.heldBytes = 0;
  s.softSinceUnix = null;
  if (waitedForChild) killOrphanedChild(c, s, t);
}

/** freeClient kills a disk child no save rule wants; a socket child dies with its last replica. */
function killOrphanedChild(c: SyncConfig, s: SyncState, t: number): void {
  if (!s.child || (s.child.record.target !== 'socket' && c.saveRuleSet)) return;
  s.child.record.killed = true;
  s.child.exitSec = t;
}

// --- Completion: the child reaped, the RDB sent and loaded ---

/** checkChildrenDone: reap an exited child, hand the RDB on, start a pending fork. */
function reapChild(c: SyncConfig, s: SyncState, t: number): void {
  if (!s.child || t < s.child.exitSec) return;
  s.child.record.endSec = t;
  s.events.push({ kind: 'child-exited', tSec: t });
  s.child = null;
  if (s.replica === 'gave-up') s.stopped = true;
  if (s.replica === 'wait-end') {
    if (c.diskless) {
      // The RDB reached the replica through the pipe; it loads, then ACKs to start the stream.
      s.replica = 'loading';
      s.stateEndSec = t + c.rdbBytes / c.replicaLoadBytesPerSec;
      s.socketRoomBytes = 0;
    } else {
      s.replica = 'send-bulk';
      s.stateEndSec = t + c.rdbBytes / c.linkBytesPerSec;
    }
  }
  startPendingFork(c, s, t);
}

/** The replica's own timed stages: the reconnect, the bulk transfer, the load. */
function advanceReplica(c: SyncConfig, s: SyncState, t: number): void {
  if (s.replica === 'reconnecting' && t >= s.stateEndSec) requestFullSync(c, s, t);
  if (s.replica === 'send-bulk' && t >= s.stateEndSec) putOnline(c, s, t);
  if (s.replica === 'loading' && t >= s.stateEndSec) completeSync(s, t);
}

/** replicaPutOnline: the master writes into the socket the replica leaves unread while it loads. */
function putOnline(c: SyncConfig, s: SyncState, t: number): void {
  s.replica = 'loading';
  s.stateEndSec = t + c.rdbBytes / c.replicaLoadBytesPerSec;
  const absorbed = Math.min(s.heldBytes, c.socketBufferBytes);
  s.heldBytes -= absorbed;
  s.socketRoomBytes = c.socketBufferBytes - absorbed;
}

function completeSync(s: SyncState, t: number): void {
  s.replica = 'synced';
  s.heldBytes = 0;
  s.completedAtSec = t;
  s.events.push({ kind: 'sync-completed', tSec: t });
  s.stopped = true;
}

// --- The run: serverCron, the steps, the summary ---

/** serverCron, if one falls in this step: reap, clientsCron's limit check, 1 Hz replicationCron. */
function runCronIfDue(c: SyncConfig, s: SyncState, t: number): void {
  const tickSec = c.cronPhaseSec + s.nextCron * c.serverCronPeriodSec;
  if (tickSec >= t + c.stepSec - 1e-12) return;
  reapChild(c, s, t);
  checkLimits(c, s, t);
  if (s.nextCron % c.hz === 0) startPendingFork(c, s, t);
  s.nextCron++;
}

function summarize(c: SyncConfig, s: SyncState, endSec: number): FullSyncRun {
  const syncOutcome: SyncOutcome = c.replicas <= 0 ? 'not-applicable' : s.completedAtSec !== null ? 'completed' : s.disconnects > 0 ? 'disconnect-loop' : 'in-progress';
  return {
    forks: s.forks,
    events: s.events,
    fullSyncs: s.fullSyncs,
    syncOutcome,
    completedAtSec: s.completedAtSec,
    endSec,
    replicationBuffer: s.buffer,
    replicaOutputBuffer: s.omem,
    memTotalReplicationBuffersPeakBytes: s.peakBytes,
    replicaOutputBufferPeakBytes: s.peakUsageBytes,
  };
}

export function simulateFullSync(options: FullSyncOptions): FullSyncRun {
  validate(options);
  const c = resolveConfig(options);
  const s = initialState(c);
  let t = 0;
  for (let step = 0; !s.stopped && t < c.horizonSec; step++) {
    if (step > MAX_STEPS) throw new RangeError(`full sync did not settle within ${MAX_STEPS} steps; give horizonSec`);
    t = roundSec(step * c.stepSec);
    advanceReplica(c, s, t);
    if (s.stopped) {
      snapshot(c, s, t);
      break;
    }
    runCronIfDue(c, s, t);
    feedWrites(c, s, t);
    snapshot(c, s, roundSec(t + c.stepSec));
  }
  return summarize(c, s, Math.min(t, c.horizonSec));
}
