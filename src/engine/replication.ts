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
//   (rdbPipeReadHandler). The replica asks for a full sync again once it reads the close
//   (readSyncBulkPayload → cancelReplicationHandshake; every retry is a full resync). The child
//   inherited the replica's socket at fork (`src/server.c` closeChildUnusedResourceAfterFork
//   closes only the listening ones) and the master's close() sends no FIN while it holds it —
//   shutdown() came in 7.2, PR #11376 — so the replica reads EOF when that child exits; a
//   replica loading a file reads its socket only once it has loaded.
// - The replica (`src/replication.c` readSyncBulkPayload; useDisklessLoad is the replica's own
//   choice, whichever way the master sends): `repl-diskless-load disabled` writes the RDB to a
//   file as it arrives, then empties its old data (emptyData) and loads the file; `swapdb` loads
//   from the socket as the RDB arrives, into a temp db beside the old data, then swaps and frees
//   the old. Loading from the socket paces the transfer: the slower of link and load.
// All replicas are taken to ask together and run alike, so they drop together.
import { DEFAULT_DISKLESS_SYNC_DELAY_SEC, DEFAULT_HZ, DEFAULT_MAX_FULL_SYNCS, DEFAULT_REPLICAS } from './defaults.js';
import { appendStep, type MutableStepSeries, type StepSeries } from './step-series.js';
import { writeRateAt, type WriteRate } from './replication-stream.js';
import { alikeReplicasBufferBytes, type BacklogState, blockGeometry, type BlockGeometry, DEFAULT_BACKLOG_BYTES, effectiveHardLimitBytes, replicaUsageBytes, type RedisVersion } from './replication-buffer.js';

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

/** 1 Gbit/s Ethernet between master and replica. */
export const DEFAULT_LINK_BYTES_PER_SEC = 125e6;

/**
 * RDB bytes a replica loads per second: the slower of the two disk-based runs, to two figures
 * (the 204,910,679 B RDB loaded in 0.824 s, 248.7 MB/s, disk-sync.json; 0.771 s,
 * 265.8 MB/s, disk-sync-two-replicas.json). Those are 1 KiB strings; each key costs an object
 * and a dict insert whatever its size, so smaller values load fewer bytes per second.
 */
export const DEFAULT_REPLICA_LOAD_BYTES_PER_SEC = 250e6;

/**
 * Bytes a TCP connection takes while its replica does not read: the send buffer autotuned to
 * tcp_wmem[2] = 4 MiB plus the receive buffer at tcp_rmem[1] = 128 KiB, which grows only as the
 * application reads (Linux defaults, Documentation/networking/ip-sysctl.rst; `net/ipv4/tcp_input.c`
 * tcp_rcv_space_adjust). Measured on loopback: 4.89 MB (disk-sync.json).
 */
export const DEFAULT_SOCKET_BUFFER_BYTES = 4 * 1024 * 1024 + 128 * 1024;

/**
 * loading-process-events-interval-bytes (`src/config.c`, 2 MiB): a loading server serves events,
 * INFO among them, once per this much RDB (`src/rdb.c` rdbLoadProgressCallback), so the
 * replica's memory is recorded in these steps.
 */
const LOAD_PROGRESS_BYTES = 2 * 1024 * 1024;

/** `repl-diskless-load`; `on-empty-db` is `swapdb` for a replica with no keys, `disabled` otherwise. */
export type ReplicaDisklessLoad = 'disabled' | 'swapdb';

export interface FullSyncOptions {
  redisVersion: RedisVersion;
  writesPerSec: WriteRate;
  /** Replication stream bytes per write (see replication-stream.ts). */
  bytesPerWrite: number;
  /** The child's save of the dataset, from fork to exit. */
  saveDurationSec: number;
  rdbBytes: number;
  /** @defaultValue DEFAULT_LINK_BYTES_PER_SEC */
  linkBytesPerSec?: number;
  /** @defaultValue DEFAULT_REPLICA_LOAD_BYTES_PER_SEC */
  replicaLoadBytesPerSec?: number;
  /**
   * What the replica holds once loaded: the master's used_memory. @defaultValue rdbBytes, an
   * understatement (a 205 MB RDB loaded to 268.6 MB, disk-sync.json)
   */
  datasetBytes?: number;
  /** repl-diskless-load. @defaultValue 'disabled' */
  replicaDisklessLoad?: ReplicaDisklessLoad;
  /**
   * What the replica holds before the sync, beyond an empty server's own ~1 MB: 0 for a new or
   * restarted replica, the dataset for one that lost its link. @defaultValue 0
   */
  replicaInitialBytes?: number;
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
   * while it loads a file (socket send and receive buffers). @defaultValue DEFAULT_SOCKET_BUFFER_BYTES
   */
  socketBufferBytes?: number;
  /** serverCron frequency (`hz`). @defaultValue 10 (CONFIG_DEFAULT_HZ) */
  hz?: number;
  /** When, within a second, replicationCron runs (0 ≤ x < 1). @defaultValue 0 */
  cronPhaseSec?: number;
  /** The fractional part of unix time at t = 0 (0 ≤ x < 1). @defaultValue 0 */
  unixFractionAtZeroSec?: number;
  /**
   * From a disconnect to the replica's new PSYNC when nothing keeps the socket open: the killed
   * child's exit, then the reconnect. @defaultValue 0.015 (measured 12–18 ms,
   * disk-sync-obuf-loop.json: "Connection with replica … lost" → "asks for synchronization")
   */
  reconnectSec?: number;
  /**
   * From the replica reading EOF, once the child holding its socket exits or its file is
   * loaded, to its new PSYNC. @defaultValue 0.001 (measured 0–1 ms, disk-sync-obuf-save-rule.json
   * and disk-sync-obuf-loop.json: "I/O error reading bulk count" → "asks for synchronization")
   */
  reconnectAfterEofSec?: number;
  /** @defaultValue Infinity (until the sync settles or maxFullSyncs) */
  horizonSec?: number;
  /** Rounds of requests, every replica asking in each. @defaultValue 5 */
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
  /** Full sync requests, every replica's, as INFO `sync_full` counts them. */
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
  /** One replica's memory beyond an empty server's: what it holds, and what it loads. */
  replicaMemory: StepSeries;
  /** With `swapdb`, the old dataset and the new one together. */
  replicaMemoryPeakBytes: number;
}

type ReplicaState = 'gave-up' | 'reconnecting' | 'wait-start' | 'wait-end' | 'send-bulk' | 'loading' | 'synced';
/** Fed the stream from the fork on (canFeedReplicaReplBuffer). */
const isFed = (state: ReplicaState) => state === 'wait-end' || state === 'send-bulk' || state === 'loading';
const MAX_STEPS = 50_000_000;

/** The options with their defaults applied, and what follows from them alone. */
interface SyncConfig extends Required<Omit<FullSyncOptions, 'redisVersion' | 'outputBufferLimit'>> {
  version: RedisVersion;
  geometry: BlockGeometry;
  hardBytes: number;
  softBytes: number;
  softSec: number;
  serverCronPeriodSec: number;
  /** The replica loads from the socket as the RDB arrives. */
  loadsFromSocket: boolean;
}

/** The master's child and the replicas' state (all alike), and what the run records. */
interface SyncState {
  forks: ForkRecord[];
  events: ReplicationEvent[];
  buffer: MutableStepSeries;
  omem: MutableStepSeries;
  fullSyncs: number;
  rounds: number;
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
  /** Updated in place: the buffer is figured from it at every step. */
  backlog: BacklogState;
  /** Index of the next serverCron call. */
  nextCron: number;
  peakBytes: number;
  peakUsageBytes: number;
  replicaMemory: MutableStepSeries;
  replicaPeakBytes: number;
  /** What the replica's own db holds; a load in progress adds to it. */
  replicaDbBytes: number;
  load: { startSec: number; endSec: number } | null;
}

function validate(o: FullSyncOptions): void {
  const positive: Array<[string, number | undefined]> = [['linkBytesPerSec', o.linkBytesPerSec], ['replicaLoadBytesPerSec', o.replicaLoadBytesPerSec], ['bytesPerWrite', o.bytesPerWrite]];
  for (const [name, value] of positive) if (value !== undefined && !(value > 0)) throw new RangeError(`${name} must be positive, got ${value}`);
  const nonNegative: Array<[string, number | undefined]> = [['saveDurationSec', o.saveDurationSec], ['rdbBytes', o.rdbBytes], ['datasetBytes', o.datasetBytes], ['replicaInitialBytes', o.replicaInitialBytes]];
  for (const [name, value] of nonNegative) if (value !== undefined && !(value >= 0)) throw new RangeError(`${name} must be non-negative, got ${value}`);
}

function resolveConfig(options: FullSyncOptions): SyncConfig {
  const {
    redisVersion: version,
    disklessSyncDelaySec = DEFAULT_DISKLESS_SYNC_DELAY_SEC,
    replicas = DEFAULT_REPLICAS,
    outputBufferLimit = DEFAULT_OUTPUT_BUFFER_LIMIT,
    saveRuleSet = false,
    backlogBytes = DEFAULT_BACKLOG_BYTES,
    socketBufferBytes = DEFAULT_SOCKET_BUFFER_BYTES,
    hz = DEFAULT_HZ,
    cronPhaseSec = 0,
    unixFractionAtZeroSec = 0,
    reconnectSec = 0.015,
    reconnectAfterEofSec = 0.001,
    horizonSec = Infinity,
    maxFullSyncs = DEFAULT_MAX_FULL_SYNCS,
    stepSec = 0.001,
    linkBytesPerSec = DEFAULT_LINK_BYTES_PER_SEC,
    replicaLoadBytesPerSec = DEFAULT_REPLICA_LOAD_BYTES_PER_SEC,
    datasetBytes = options.rdbBytes,
    replicaDisklessLoad = 'disabled',
    replicaInitialBytes = 0,
  } = options;
  const { writesPerSec, bytesPerWrite, saveDurationSec, rdbBytes, diskless } = options;
  return {
    version,
    writesPerSec,
    bytesPerWrite,
    saveDurationSec,
    rdbBytes,
    linkBytesPerSec,
    replicaLoadBytesPerSec,
    datasetBytes,
    replicaDisklessLoad,
    replicaInitialBytes,
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
    reconnectAfterEofSec,
    horizonSec,
    maxFullSyncs,
    stepSec,
    geometry: blockGeometry(version, bytesPerWrite),
    hardBytes: effectiveHardLimitBytes(version, outputBufferLimit.hardBytes, backlogBytes),
    softBytes: outputBufferLimit.softBytes,
    softSec: outputBufferLimit.softSec,
    serverCronPeriodSec: 1 / hz,
    loadsFromSocket: replicaDisklessLoad === 'swapdb',
  };
}

function initialState(c: SyncConfig): SyncState {
  return {
    forks: [],
    events: [],
    buffer: { tSec: [], bytes: [] },
    omem: { tSec: [], bytes: [] },
    fullSyncs: 0,
    rounds: 0,
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
    backlog: { version: c.version, geometry: c.geometry, backlogBytes: c.backlogBytes, backlogCreated: false, streamSinceBacklogBytes: 0 },
    nextCron: cronIndexAtOrAfter(c, 0),
    peakBytes: 0,
    peakUsageBytes: 0,
    replicaMemory: c.replicas > 0 ? { tSec: [0], bytes: [c.replicaInitialBytes] } : { tSec: [], bytes: [] },
    replicaPeakBytes: c.replicas > 0 ? c.replicaInitialBytes : 0,
    replicaDbBytes: c.replicaInitialBytes,
    load: null,
  };
}

// --- Clocks ---

const unixSec = (c: SyncConfig, t: number) => Math.floor(c.unixFractionAtZeroSec + t + 1e-9);
/** Index of the serverCron call at or after t; every hz-th is also replicationCron. */
const cronIndexAtOrAfter = (c: SyncConfig, t: number) => Math.ceil((t - c.cronPhaseSec) / c.serverCronPeriodSec - 1e-9);
const roundSec = (t: number) => Math.round(t * 1e9) / 1e9;

// --- Memory: one replica's omem, the master's total, the replica's own, and their series ---

const usage = (c: SyncConfig, s: SyncState) => (isFed(s.replica) ? replicaUsageBytes(c.geometry, s.heldBytes) : 0);

const bufferNow = (c: SyncConfig, s: SyncState) => alikeReplicasBufferBytes(s.backlog, c.replicas, isFed(s.replica) ? s.heldBytes : 0);

/** The replica's db, plus the share of the dataset a load has reached, in whole progress steps. */
function replicaMemoryAt(c: SyncConfig, s: SyncState, t: number): number {
  if (!s.load) return s.replicaDbBytes;
  const spanSec = s.load.endSec - s.load.startSec;
  const share = spanSec > 0 ? Math.min(1, Math.max(0, (t - s.load.startSec) / spanSec)) : 1;
  const loadedRdbBytes = share >= 1 ? c.rdbBytes : Math.floor((share * c.rdbBytes) / LOAD_PROGRESS_BYTES) * LOAD_PROGRESS_BYTES;
  return s.replicaDbBytes + (c.rdbBytes > 0 ? Math.round((loadedRdbBytes / c.rdbBytes) * c.datasetBytes) : c.datasetBytes);
}

function notePeaks(c: SyncConfig, s: SyncState, bytes = bufferNow(c, s), usageBytes = usage(c, s)): void {
  s.peakBytes = Math.max(s.peakBytes, bytes);
  s.peakUsageBytes = Math.max(s.peakUsageBytes, usageBytes);
}

function snapshot(c: SyncConfig, s: SyncState, t: number): void {
  const bytes = bufferNow(c, s);
  const usageBytes = usage(c, s);
  notePeaks(c, s, bytes, usageBytes);
  appendStep(s.omem, t, usageBytes);
  appendStep(s.buffer, t, bytes);
  if (c.replicas <= 0) return;
  const replicaBytes = replicaMemoryAt(c, s, t);
  s.replicaPeakBytes = Math.max(s.replicaPeakBytes, replicaBytes);
  appendStep(s.replicaMemory, t, replicaBytes);
}

// --- The replica's load ---

/** The RDB's pace on the link: a replica loading from the socket reads it no faster than it loads. */
const transferBytesPerSec = (c: SyncConfig) => (c.loadsFromSocket ? Math.min(c.linkBytesPerSec, c.replicaLoadBytesPerSec) : c.linkBytesPerSec);

/** readSyncBulkPayload: `disabled` empties the old data (emptyData) first; `swapdb` loads beside it. */
function startLoad(c: SyncConfig, s: SyncState, startSec: number, endSec: number): void {
  if (!c.loadsFromSocket) s.replicaDbBytes = 0;
  s.load = { startSec, endSec };
}

/** A load run to its end: with `swapdb` the loaded db is swapped in and the old one freed. */
function finishLoad(c: SyncConfig, s: SyncState): void {
  s.replicaDbBytes = c.datasetBytes;
  s.load = null;
}

// --- The fork train: requests, and when a fork starts ---

function fork(c: SyncConfig, s: SyncState, t: number): void {
  const target: ForkTarget = c.diskless ? 'socket' : 'disk';
  // A socket child streams while it saves: the slowest of save, link and a replica loading from
  // the socket decides its life.
  const lifeSec = c.diskless ? Math.max(c.saveDurationSec, c.rdbBytes / transferBytesPerSec(c)) : c.saveDurationSec;
  const record: ForkRecord = { startSec: t, endSec: null, killed: false, target };
  s.forks.push(record);
  s.child = { record, exitSec: t + lifeSec };
  s.events.push({ kind: 'fork', tSec: t });
  s.replica = 'wait-end';
  s.heldBytes = 0;
  s.softSinceUnix = null;
  if (c.diskless && c.loadsFromSocket) startLoad(c, s, t, s.child.exitSec);
}

/** replicationStartPendingFork → shouldStartChildReplication. */
function startPendingFork(c: SyncConfig, s: SyncState, t: number): void {
  if (s.child || s.replica !== 'wait-start') return;
  if (!c.diskless || unixSec(c, t) - unixSec(c, s.requestSec) >= c.disklessSyncDelaySec) fork(c, s, t);
}

function requestFullSync(c: SyncConfig, s: SyncState, t: number): void {
  if (s.rounds >= c.maxFullSyncs) {
    // No more requests; run on until the last child is reaped so that every fork has its end.
    s.replica = 'gave-up';
    if (!s.child) s.stopped = true;
    return;
  }
  s.rounds++;
  s.fullSyncs += c.replicas;
  s.backlog.backlogCreated = true; // syncCommand creates it for the first replica
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
  if (s.backlog.backlogCreated) s.backlog.streamSinceBacklogBytes += bytes;
  if (!isFed(s.replica)) return;
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
  if (!isFed(s.replica)) return;
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
  if (waitedForChild) killOrphanedChild(c, s, t);
  s.replica = 'reconnecting';
  s.stateEndSec = closeReadSec(c, s, t, waitedForChild);
  s.heldBytes = 0;
  s.softSinceUnix = null;
  // A load from the socket fails with it: the temp db is discarded, the old data stays. A load
  // from a file runs on.
  if (c.loadsFromSocket) s.load = null;
}

/** When the dropped replica asks again: once it reads the close (see the header). */
function closeReadSec(c: SyncConfig, s: SyncState, t: number, waitedForChild: boolean): number {
  if (waitedForChild && s.child && !s.child.record.killed) return s.child.exitSec + c.reconnectAfterEofSec;
  if (s.load && !c.loadsFromSocket) return s.load.endSec + c.reconnectAfterEofSec;
  return t + c.reconnectSec;
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
  const { exitSec } = s.child;
  s.child.record.endSec = t;
  s.events.push({ kind: 'child-exited', tSec: t });
  s.child = null;
  if (s.replica === 'gave-up') s.stopped = true;
  if (s.replica === 'wait-end') {
    if (c.diskless) {
      // The replica has had the whole RDB since the child's exit, loaded as it came or loading
      // the file since then; it ACKs once loaded, and the stream starts once it is online too.
      s.replica = 'loading';
      s.stateEndSec = c.loadsFromSocket ? t : Math.max(t, exitSec + c.rdbBytes / c.replicaLoadBytesPerSec);
      s.socketRoomBytes = 0;
      if (!c.loadsFromSocket) startLoad(c, s, exitSec, exitSec + c.rdbBytes / c.replicaLoadBytesPerSec);
    } else {
      s.replica = 'send-bulk';
      s.stateEndSec = t + c.rdbBytes / transferBytesPerSec(c);
      if (c.loadsFromSocket) startLoad(c, s, t, s.stateEndSec);
    }
  }
  startPendingFork(c, s, t);
}

/** The replica's own timed stages: a load, the reconnect, the bulk transfer, the load's end. */
function advanceReplica(c: SyncConfig, s: SyncState, t: number): void {
  if (s.load && t >= s.load.endSec) finishLoad(c, s);
  if (s.replica === 'reconnecting' && t >= s.stateEndSec) requestFullSync(c, s, t);
  // Loaded from the socket, the replica is done with the last byte: the socket held the RDB's
  // tail, not the stream.
  if (s.replica === 'send-bulk' && t >= s.stateEndSec) {
    if (c.loadsFromSocket) completeSync(c, s, t);
    else putOnline(c, s, t);
  }
  if (s.replica === 'loading' && t >= s.stateEndSec) completeSync(c, s, t);
}

/** replicaPutOnline: the master writes into the socket the replica leaves unread while it loads. */
function putOnline(c: SyncConfig, s: SyncState, t: number): void {
  s.replica = 'loading';
  s.stateEndSec = t + c.rdbBytes / c.replicaLoadBytesPerSec;
  const absorbed = Math.min(s.heldBytes, c.socketBufferBytes);
  s.heldBytes -= absorbed;
  s.socketRoomBytes = c.socketBufferBytes - absorbed;
  startLoad(c, s, t, s.stateEndSec);
}

function completeSync(c: SyncConfig, s: SyncState, t: number): void {
  finishLoad(c, s);
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
    replicaMemory: s.replicaMemory,
    replicaMemoryPeakBytes: s.replicaPeakBytes,
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
