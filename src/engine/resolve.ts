// Turns a validated scenario into everything the later stages run on: key count, memory
// layout, snapshot length, fork and fault costs, which kernel/Redis behaviours apply, the
// write mix and offered load, and how the run is sampled. Nothing after this reads the
// scenario again, so a run that cannot be simulated is refused here.

import type { Scenario } from '../schemas/scenario.js';
import { DEFAULT_DISKLESS_BY_VERSION, DEFAULT_SAMPLE_INTERVAL_SEC, DEFAULT_SAVE_THROUGHPUT_BYTES_PER_SEC, defaultReservedBytes } from './defaults.js';
import { EngineError } from './errors.js';
import { PAGE_BYTES } from './jemalloc.js';
import { buildDataset, type DatasetRun, type SegmentInput } from './dataset.js';
import { buildLayout, dictBuckets, keysForUsedMemory, REDIS_STARTUP_USED_MEMORY_BYTES, type RedisLayout } from './layout.js';
import { EXACT_MAX_PAGES, EXACT_MAX_WRITES, LIMITS } from './limits.js';
import { offeredLoad, type OfferedLoad } from './offered-load.js';
import { platformPreset, type PlatformPreset } from './platforms.js';
import { estimateDatasetRdbBytes, estimateRdbBytes } from './rdb-size.js';
import type { RedisVersion } from './replication-buffer.js';
import { DEFAULT_REPLICA_LOAD_BYTES_PER_SEC, DEFAULT_SOCKET_BUFFER_BYTES } from './replication.js';
import { setCommandBytes } from './replication-stream.js';
import { writeMix, type WriteMix } from './write-mix.js';

/** memcpy of one 4 KiB page on the reference VM (kernel tables): the per-page part of a huge copy. */
const PAGE_COPY_USEC = 0.955;
/** Child's own Private_Dirty with no writes at all (stack, buffers): 0.7–0.8 MiB measured. */
export const CHILD_BASELINE_PRIVATE_BYTES = 768 * 1024;

/** fork() costs in force: the preset's, or the scenario's overrides. */
export interface ForkCosts {
  fixedUsec: number;
  wpUsecPerGiB: number;
  writableUsecPerGiB: number;
  hugeWpUsecPerGiB: number;
  hugeWritableUsecPerGiB: number;
}

/** The fork before this one: how long ago, and how long its child lived under the load. */
export interface PreviousFork {
  /** 'none': the first fork since a restart, load or full sync. */
  secondsSince: number | 'none';
  /** Its child's lifetime: as long as this one's unless given, within secondsSince; 0 with none. */
  childSec: number;
}

export type Trigger = Scenario['snapshot']['trigger'];

/** The full sync's settings as the master and replica would run them. */
export interface ResolvedReplication {
  replicas: number;
  diskless: boolean;
  disklessSyncDelaySec: number;
  linkBytesPerSec: number;
  replicaLoadBytesPerSec: number;
  disklessLoad: Scenario['replication']['disklessLoad'];
  replicaStartsEmpty: boolean;
  outputBufferLimit: Scenario['replication']['outputBufferLimit'];
  backlogBytes: number;
  socketBufferBytes: number;
}

/** What the memory limit must hold, and how the host counts page cache. */
export interface ResolvedHost {
  kind: Scenario['host']['kind'];
  /** null without a limit. */
  memoryBytes: number | null;
  reservedBytes: number;
  pageCacheAtForkBytes: number;
}

export interface ResolvedRun {
  trigger: Trigger;
  /** The dataset's segments; null for the one-string-segment shorthand. */
  dataset: DatasetRun | null;
  redisVersion: RedisVersion;
  keys: number;
  layout: RedisLayout;
  usedMemoryBytes: number;
  usedMemoryRssBytes: number;
  fragmentationRatio: number;
  durationSec: number;
  /** The process runs on transparent huge pages. */
  hugePagesActive: boolean;
  copyHugePages: boolean;
  copyUnitBytes: number;
  dismiss: boolean;
  /** RSS mapped with 4 KiB pages and with huge pages. */
  smallMappedBytes: number;
  hugeMappedBytes: number;
  forkCosts: ForkCosts;
  cowFaultUsec: number;
  /** Cost of one copy fault in the active copy unit. */
  copyFaultUsec: number;
  writeMix: WriteMix;
  load: OfferedLoad;
  /** Main-thread CPU per write, faults aside. */
  serviceUsecPerWrite: number;
  previousFork: PreviousFork;
  /** INFO rdb_last_cow_size is the peak (Redis 7) rather than the last value (6.2). */
  lastCowSizeIsPeak: boolean;
  /** Memory limit for the OOM verdict; null without one. */
  hostMemoryBytes: number | null;
  host: ResolvedHost;
  /** Bytes one write adds to the replication stream and the AOF. */
  bytesPerWrite: number;
  /** The RDB file's size, and whether it was estimated. */
  rdbBytes: number;
  rdbBytesEstimated: boolean;
  rdbOnTmpfs: boolean;
  incrementalFsync: boolean;
  saveConfigured: boolean;
  hz: number;
  replication: ResolvedReplication;
  /** How long a full sync is followed; null: until it settles. */
  horizonSec: number | null;
  mode: Scenario['simulation']['mode'];
  seed: number;
  /** The series step asked for, and the most points it may have. */
  simulation: { intervalSec: number; maxPoints: number };
}

type Memory = Pick<ResolvedRun, 'keys' | 'layout' | 'usedMemoryBytes' | 'usedMemoryRssBytes' | 'fragmentationRatio' | 'hugePagesActive' | 'dataset'>;

function checkUsedMemory(usedMemoryBytes: number): void {
  if (usedMemoryBytes > LIMITS.maxUsedMemoryBytes) {
    throw new EngineError('SCENARIO_TOO_LARGE', `used memory ${usedMemoryBytes} bytes exceeds the limit of ${LIMITS.maxUsedMemoryBytes} bytes`, ['dataset']);
  }
}

/** The segments with every default applied. */
function segmentInputs(scenario: Scenario): SegmentInput[] {
  const { dataset, workload } = scenario;
  return dataset.segments!.map((s, i) => ({
    name: s.name ?? `${s.type}-${i}`,
    type: s.type,
    keys: s.keys,
    keyBytes: s.keyBytes ?? dataset.keyBytes,
    valueBytes: Math.round(s.type === 'string' ? s.valueBytes : s.elementBytes),
    elements: s.type === 'string' ? 1 : s.elements,
    fieldBytes: s.type === 'hash' ? (s.fieldBytes ?? null) : null,
    intMembers: s.type === 'set' ? s.intMembers : false,
    // INCR keeps a counter int-encoded.
    valueEncoding: s.type !== 'string' ? 'auto' : s.writeOp === 'INCR' ? 'int' : s.valueEncoding,
    writeShare: s.writeShare ?? null,
    ttlShare: s.ttl?.share ?? 0,
    distribution: s.keyDistribution ?? workload.keyDistribution,
  }));
}

/** A dataset of segments: the layout the rest of the run reads is their sum. */
function resolveSegmentMemory(scenario: Scenario, hugePagesActive: boolean): Memory {
  const { workload, redis, allocator } = scenario;
  const dataset = buildDataset({
    segments: segmentInputs(scenario),
    config: redis.config,
    newKeyFraction: workload.newKeyFraction,
    deleteFraction: workload.deleteFraction,
    fragmentationRatio: allocator.fragmentationRatio,
    hugePages: hugePagesActive,
  });
  checkUsedMemory(dataset.usedMemoryBytes);
  const { keys, usedMemoryBytes } = dataset;
  const layout = {
    ...dataset.segments[0]!.layout,
    keys,
    smallClasses: dataset.segments.flatMap((s) => s.layout.smallClasses),
    partialWritePagesPerKey: 0,
    largeValue: undefined,
    dictBuckets: dictBuckets(keys),
    dictBytes: dataset.mainDictBytes,
    // What one more key costs: the mean over the segments (inserts land by write share).
    perKeyUsableBytes: (usedMemoryBytes - dataset.mainDictBytes - REDIS_STARTUP_USED_MEMORY_BYTES) / keys,
    usedMemoryBytes,
    heapPages: dataset.heapPages,
    compactRssBytes: dataset.compactRssBytes,
  };
  const usedMemoryRssBytes = Math.round(Math.max(dataset.compactRssBytes, usedMemoryBytes * (allocator.fragmentationRatio ?? 0)));
  return { keys, layout, usedMemoryBytes, usedMemoryRssBytes, fragmentationRatio: usedMemoryRssBytes / usedMemoryBytes, hugePagesActive, dataset };
}

function resolveMemory(scenario: Scenario): Memory {
  const { dataset, kernel, redis, allocator } = scenario;
  // THP reaches Redis only when the host says always and Redis does not opt out.
  const hugePagesActive = kernel.thp === 'always' && !redis.disableThp;
  if (dataset.segments !== undefined) return resolveSegmentMemory(scenario, hugePagesActive);
  const valueBytes = dataset.valueBytes!;
  const keys = dataset.keys ?? keysForUsedMemory(dataset.usedMemoryBytes!, dataset.keyBytes, valueBytes);
  const layout = buildLayout({
    keys,
    keyBytes: dataset.keyBytes,
    valueBytes,
    fragmentationRatio: allocator.fragmentationRatio,
    hugePages: hugePagesActive,
  });
  checkUsedMemory(layout.usedMemoryBytes);
  const usedMemoryBytes = layout.usedMemoryBytes;
  // RSS cannot be smaller than the pages the heap occupies (there is no swap in this model).
  const usedMemoryRssBytes = Math.round(Math.max(layout.compactRssBytes, usedMemoryBytes * (allocator.fragmentationRatio ?? 0)));
  const fragmentationRatio = usedMemoryRssBytes / usedMemoryBytes;
  return { keys, layout, usedMemoryBytes, usedMemoryRssBytes, fragmentationRatio, hugePagesActive, dataset: null };
}

function resolveDuration(snapshot: Scenario['snapshot'], usedMemoryBytes: number): number {
  const durationSec = snapshot.durationSec ?? usedMemoryBytes / (snapshot.throughputBytesPerSec ?? DEFAULT_SAVE_THROUGHPUT_BYTES_PER_SEC);
  if (durationSec > LIMITS.maxDurationSec) {
    throw new EngineError('SCENARIO_TOO_LARGE', `snapshot of ${durationSec.toFixed(0)} s exceeds ${LIMITS.maxDurationSec} s`, [
      'snapshot',
      'throughputBytesPerSec',
    ]);
  }
  return durationSec;
}

function resolveForkCosts(kernel: Scenario['kernel'], preset: PlatformPreset): ForkCosts {
  // An override of the 4 KiB cost scales the preset's other costs with it.
  const scale = (kernel.forkUsecPerGiB ?? preset.forkUsecPerGiB) / preset.forkUsecPerGiB;
  const hugeWpUsecPerGiB = kernel.forkUsecPerGiBHuge ?? preset.forkUsecPerGiBHuge * scale;
  return {
    fixedUsec: preset.forkFixedUsec,
    wpUsecPerGiB: preset.forkUsecPerGiB * scale,
    writableUsecPerGiB: kernel.forkWritableUsecPerGiB ?? preset.forkWritableUsecPerGiB * scale,
    hugeWpUsecPerGiB,
    hugeWritableUsecPerGiB: hugeWpUsecPerGiB * (preset.forkWritableUsecPerGiBHuge / preset.forkUsecPerGiBHuge),
  };
}

function previousFork(snapshot: Scenario['snapshot'], durationSec: number): PreviousFork {
  const since = snapshot.secondsSincePreviousFork;
  return { secondsSince: since, childSec: since === 'none' ? 0 : Math.min(since, snapshot.previousSnapshotSec ?? durationSec) };
}

/** Exact mode walks every write and keeps a bit per page: refuse what it cannot hold. */
function checkExactLimits(run: ResolvedRun): void {
  if (run.mode !== 'exact') return;
  const offered = run.load.peakWritesPerSec * run.durationSec;
  if (offered > EXACT_MAX_WRITES) {
    throw new EngineError('EXACT_TOO_LARGE', `exact mode walks every write: ${offered.toExponential(2)} writes exceed ${EXACT_MAX_WRITES.toExponential(0)}; use mode "expected"`, [
      'simulation',
      'mode',
    ]);
  }
  if (run.layout.heapPages > EXACT_MAX_PAGES || run.keys > EXACT_MAX_PAGES) {
    throw new EngineError('EXACT_TOO_LARGE', `exact mode keeps a bit per page: ${run.layout.heapPages} pages exceed ${EXACT_MAX_PAGES}`, [
      'simulation',
      'mode',
    ]);
  }
}

/** The replication stream's bytes per write command: the SET, or each segment's command by its share. */
function defaultBytesPerWrite({ dataset }: Scenario, segments: DatasetRun | null): number {
  if (segments === null) return setCommandBytes(dataset.keyBytes, Math.round(dataset.valueBytes!));
  return segments.segments.reduce((sum, s) => sum + s.commandShare * s.commandBytes, 0);
}

/** The RDB as if nothing compressed. */
function defaultRdbBytes({ dataset, redis }: Scenario, memory: Memory): number {
  const usedMemoryBytes = memory.usedMemoryBytes;
  if (memory.dataset === null) return estimateRdbBytes({ keys: memory.keys, keyBytes: dataset.keyBytes, valueBytes: Math.round(dataset.valueBytes!), redisVersion: redis.version, usedMemoryBytes });
  return estimateDatasetRdbBytes(memory.dataset.segments, { redisVersion: redis.version, usedMemoryBytes });
}

function resolveReplication(r: Scenario['replication'], version: RedisVersion): ResolvedReplication {
  return {
    ...r,
    diskless: r.diskless ?? DEFAULT_DISKLESS_BY_VERSION[version],
    replicaLoadBytesPerSec: r.replicaLoadBytesPerSec ?? DEFAULT_REPLICA_LOAD_BYTES_PER_SEC,
    socketBufferBytes: r.socketBufferBytes ?? DEFAULT_SOCKET_BUFFER_BYTES,
  };
}

function resolveHost(host: Scenario['host']): ResolvedHost {
  const memoryBytes = host.memoryBytes ?? null;
  return {
    kind: host.kind,
    memoryBytes,
    reservedBytes: host.reservedBytes ?? defaultReservedBytes(host.kind, memoryBytes),
    pageCacheAtForkBytes: host.pageCacheAtForkBytes,
  };
}

export function resolveRun(scenario: Scenario): ResolvedRun {
  const { kernel, redis, workload, snapshot, simulation } = scenario;
  const memory = resolveMemory(scenario);
  const { keys, layout, usedMemoryRssBytes, hugePagesActive } = memory;
  const durationSec = resolveDuration(snapshot, memory.usedMemoryBytes);
  const preset = platformPreset(kernel.platform);
  // What huge pages cannot cover: the binary, libraries, stacks and allocator metadata.
  const smallMappedBytes = hugePagesActive ? Math.max(0, usedMemoryRssBytes - layout.heapPages * PAGE_BYTES) : usedMemoryRssBytes;
  const cowFaultUsec = kernel.cowFaultUsec ?? preset.cowFaultUsec;
  const copyHugePages = hugePagesActive && kernel.thpCow === 'copy-2m';
  const run: ResolvedRun = {
    trigger: snapshot.trigger,
    redisVersion: redis.version,
    ...memory,
    durationSec,
    copyHugePages,
    copyUnitBytes: copyHugePages ? 2 * 1024 * 1024 : PAGE_BYTES,
    // PR #8974: Redis 7 only, and skipped when THP is on for the process.
    dismiss: redis.version === '7.0' && !hugePagesActive,
    smallMappedBytes,
    hugeMappedBytes: usedMemoryRssBytes - smallMappedBytes,
    forkCosts: resolveForkCosts(kernel, preset),
    cowFaultUsec,
    copyFaultUsec: copyHugePages ? cowFaultUsec + 511 * PAGE_COPY_USEC : cowFaultUsec,
    writeMix: writeMix({
      keys,
      distribution: workload.keyDistribution,
      newKeyFraction: workload.newKeyFraction,
      deleteFraction: workload.deleteFraction,
    }),
    load: offeredLoad(workload.writesPerSec, workload.writeSchedule),
    serviceUsecPerWrite: workload.serviceUsecPerWrite,
    previousFork: previousFork(snapshot, durationSec),
    lastCowSizeIsPeak: redis.version === '7.0',
    hostMemoryBytes: scenario.host.memoryBytes ?? null,
    host: resolveHost(scenario.host),
    bytesPerWrite: workload.replicationBytesPerWrite ?? defaultBytesPerWrite(scenario, memory.dataset),
    rdbBytes: snapshot.rdbBytes ?? defaultRdbBytes(scenario, memory),
    rdbBytesEstimated: snapshot.rdbBytes === undefined,
    rdbOnTmpfs: snapshot.rdbOnTmpfs,
    incrementalFsync: redis.rdbSaveIncrementalFsync,
    saveConfigured: redis.saveConfigured,
    hz: redis.hz,
    replication: resolveReplication(scenario.replication, redis.version),
    horizonSec: simulation.horizonSec ?? null,
    mode: simulation.mode,
    seed: simulation.seed,
    simulation: { intervalSec: simulation.sampleIntervalSec ?? DEFAULT_SAMPLE_INTERVAL_SEC, maxPoints: simulation.maxPoints },
  };
  checkExactLimits(run);
  return run;
}
