// A full sync or AOF rewrite measured on a real master and replica (the shape
// `src/harness/sync-probe.ts` writes: test/fixtures/replication/, `forkcast validate`'s
// full-sync and aof-rewrite kinds), read two ways: the scenario a user of that master would
// write for it — dataset, load, config and the save's length, nothing read off the buffers or
// the memory being forecast — and the figures the engine is judged on.
import { ScenarioSchema, type Scenario, type ScenarioInput } from '../schemas/scenario.js';
import { z } from '../schemas/zod.js';
import { DEFAULT_VALIDATION_PLATFORM } from './scenario-from-run.js';

const num = z.number().nullable();
const logLines = z.array(z.object({ t_s: z.number(), line: z.string() }));

const SyncSampleSchema = z.looseObject({
  t_s: z.number(),
  used_memory: num,
  used_memory_rss: num,
  master_rss_bytes: num,
  mem_total_replication_buffers: num,
  child_private_dirty_bytes: num,
  writes_acked: z.number(),
});

/** What the mapping and the scoring read from a sync-probe run; every other field passes through. */
export const SyncRunSchema = z.looseObject({
  name: z.string(),
  environment: z.looseObject({ redis_version: z.string().optional() }),
  spec: z.looseObject({
    trigger: z.enum(['full-sync', 'aof-rewrite']),
    replicas: z.number().int().min(1).optional(),
  }),
  config: z.looseObject({
    master: z.record(z.string(), z.string()),
    replica: z.record(z.string(), z.string()).nullable(),
  }),
  dataset: z.looseObject({ keys: z.number().int().min(1), key_bytes: z.number().int().min(1) }),
  save: z.looseObject({ rdb_bytes_per_key: z.number().gt(0), predicted_save_seconds: z.number().gt(0) }),
  load: z.looseObject({ value_bytes: z.number().int().min(1), key_bytes: z.number().int().min(1), replication_bytes_per_write: z.number().int().min(1) }),
  summary: z.looseObject({
    forks: z.number().int().min(0),
    sync_full_delta: z.number(),
    output_buffer_disconnects: z.number().int().min(0),
    settled_at_s: z.number().nullable(),
    peak_child_private_dirty_bytes: z.number(),
    peak_mem_total_replication_buffers: z.number(),
    aof_last_cow_size: num,
  }),
  forks: z.array(z.object({ pid: z.number(), start_s: z.number(), end_s: z.number().nullable(), peak_private_dirty_bytes: z.number() })),
  log: z.looseObject({ master: logLines, replica: logLines }),
  series: z.array(SyncSampleSchema).min(2),
});

export type SyncRun = z.output<typeof SyncRunSchema>;
type LogLine = SyncRun['log']['master'][number];

export interface ScenarioFromSyncRunOptions {
  /** Platform preset id; DEFAULT_VALIDATION_PLATFORM when absent. */
  platform?: string;
}

/** redis-server's `v=7.0.15` as the engine's version. */
function redisVersion(run: SyncRun): '6.2' | '7.0' {
  return /v=6\.2\./.test(run.environment.redis_version ?? '') ? '6.2' : '7.0';
}

/** CONFIG GET client-output-buffer-limit names the replica class `slave`, in bytes. */
export function replicaOutputBufferLimit(config: Record<string, string>): { hardBytes: number; softBytes: number; softSec: number } | undefined {
  const m = /\bslave (\d+) (\d+) (\d+)/.exec(config['client-output-buffer-limit'] ?? '');
  return m ? { hardBytes: Number(m[1]), softBytes: Number(m[2]), softSec: Number(m[3]) } : undefined;
}

const logAt = (lines: LogLine[], pattern: RegExp): number | undefined => lines.find((l) => pattern.test(l.line))?.t_s;

/** Whether the master's log says the child that started at `startSec` was killed (signal 10, SIGUSR1: killRDBChild). */
function childKilled(run: SyncRun, startSec: number, endSec: number): boolean {
  return run.log.master.some((l) => l.t_s >= startSec - 0.05 && l.t_s <= endSec + 0.15 && /terminated by signal/.test(l.line));
}

/**
 * The save's length as a user would know it (rdb_last_bgsave_time_sec): the first child's
 * measured life when it saved to the end. A child killed when its replica dropped says nothing
 * about a save's length, so the length the probe planned for its saves stands in; in the runs
 * where that happens the limit cuts every child short long before either.
 */
export function saveSeconds(run: SyncRun): number {
  const first = run.forks[0];
  if (!first || first.end_s === null || childKilled(run, first.start_s, first.end_s)) return run.save.predicted_save_seconds;
  return first.end_s - first.start_s;
}

/** The RDB's size: as the replica's log received it, else the probe's DUMP bytes per key × keys. */
export function rdbBytes(run: SyncRun): number {
  const line = run.log.replica.find((l) => /receiving \d+ bytes/.test(l.line));
  const logged = line ? Number(/receiving (\d+) bytes/.exec(line.line)![1]) : undefined;
  return logged ?? Math.round(run.save.rdb_bytes_per_key * run.dataset.keys);
}

/**
 * Link and load rates from the replica's log, where the run shows them. These are loopback
 * figures a user would replace by their own network's and replica's: disk-based, the file's
 * transfer ("receiving N bytes" → "Discarding previously cached master state"); diskless, the
 * child streamed for its whole life, so the link kept up with at least the RDB over that
 * life; the load "Loading DB in memory" → "Done loading RDB". A run whose replica never got a
 * file leaves both to the engine's defaults, which it then never uses.
 */
export function replicaRates(run: SyncRun, diskless: boolean, rdb: number): { linkBytesPerSec?: number; replicaLoadBytesPerSec?: number } {
  const lines = run.log.replica;
  const rates: { linkBytesPerSec?: number; replicaLoadBytesPerSec?: number } = {};
  const loadStart = logAt(lines, /Loading DB in memory/);
  const loadEnd = logAt(lines, /Done loading RDB/);
  if (loadStart !== undefined && loadEnd !== undefined && loadEnd > loadStart) rates.replicaLoadBytesPerSec = Math.round(rdb / (loadEnd - loadStart));
  if (diskless) {
    const first = run.forks[0];
    if (first?.end_s != null && rates.replicaLoadBytesPerSec !== undefined) rates.linkBytesPerSec = Math.round(rdb / (first.end_s - first.start_s));
  } else {
    const sent = logAt(lines, /receiving \d+ bytes/);
    const received = logAt(lines, /Discarding previously cached master state/);
    if (sent !== undefined && received !== undefined && received > sent) rates.linkBytesPerSec = Math.round(rdb / (received - sent));
  }
  return rates;
}

/** The master before t = 0: the last sample with INFO memory. */
function beforeTrigger(run: SyncRun) {
  const before = run.series.filter((s) => s.t_s < 0 && s.used_memory !== null && s.used_memory_rss !== null);
  const last = before.at(-1);
  if (!last) throw new RangeError(`${run.name}: no sample with INFO memory before t = 0`);
  return { usedMemory: last.used_memory!, usedMemoryRss: last.used_memory_rss! };
}

/** Writes acknowledged per second over the sampled span after t = 0. */
export function achievedWritesPerSec(run: SyncRun): number {
  const last = run.series.at(-1)!;
  return last.t_s > 0 ? last.writes_acked / last.t_s : 0;
}

/** A run that never settled (a disconnect loop): the engine follows it over the sampled span. */
export function horizonSec(run: SyncRun): number | undefined {
  return run.summary.settled_at_s === null ? run.series.at(-1)!.t_s : undefined;
}

export function scenarioFromSyncRun(run: SyncRun, options: ScenarioFromSyncRunOptions = {}): ScenarioInput {
  const master = run.config.master;
  const fullSync = run.spec.trigger === 'full-sync';
  const diskless = master['repl-diskless-sync'] === 'yes';
  const rdb = rdbBytes(run);
  const memory = beforeTrigger(run);
  const limit = replicaOutputBufferLimit(master);
  const horizon = horizonSec(run);
  // The load ran from one lead before t = 0; the probe saves forked before it started.
  const leadSec = -run.series[0]!.t_s;
  const diskLoad = run.config.replica?.['repl-diskless-load'];
  return {
    name: run.name,
    dataset: { keys: run.dataset.keys, valueBytes: run.load.value_bytes, keyBytes: run.dataset.key_bytes },
    allocator: { fragmentationRatio: memory.usedMemoryRss / memory.usedMemory },
    workload: { writesPerSec: achievedWritesPerSec(run), keyDistribution: { type: 'uniform' } },
    snapshot: {
      trigger: run.spec.trigger,
      durationSec: saveSeconds(run),
      rdbBytes: rdb,
      secondsSincePreviousFork: leadSec,
      previousSnapshotSec: 0,
    },
    kernel: { thp: 'never', platform: options.platform ?? DEFAULT_VALIDATION_PLATFORM },
    redis: {
      version: redisVersion(run),
      disableThp: master['disable-thp'] !== 'no',
      saveConfigured: (master.save ?? '') !== '',
    },
    ...(fullSync
      ? {
          replication: {
            replicas: run.spec.replicas ?? 1,
            diskless,
            disklessSyncDelaySec: Number(master['repl-diskless-sync-delay'] ?? 5),
            ...replicaRates(run, diskless, rdb),
            ...(diskLoad === 'swapdb' ? { disklessLoad: 'swapdb' as const } : {}),
            replicaStartsEmpty: true,
            ...(limit ? { outputBufferLimit: limit } : {}),
            ...(master['repl-backlog-size'] ? { backlogBytes: Number(master['repl-backlog-size']) } : {}),
          },
        }
      : {}),
    ...(horizon !== undefined ? { simulation: { horizonSec: horizon } } : {}),
  };
}

/** The scenario parsed, every default filled in. */
export function parsedScenarioFromSyncRun(run: SyncRun, options: ScenarioFromSyncRunOptions = {}): Scenario {
  return ScenarioSchema.parse(scenarioFromSyncRun(run, options));
}

/** What the run measured, in the engine's terms. */
export interface SyncObserved {
  /** Peak INFO mem_total_replication_buffers. */
  memTotalReplicationBuffersPeakBytes: number;
  /** Peak of the master's RSS plus its child's Private_Dirty, sample by sample. */
  peakMasterMemoryBytes: number;
  forks: number;
  /** INFO sync_full over the sampled span. */
  fullSyncs: number;
  /** The master dropped a replica at its output-buffer limit. */
  replicaDisconnected: boolean;
  /** INFO aof_last_cow_size after the run; null when the server did not say. */
  aofLastCowSizeBytes: number | null;
  peakChildPrivateDirtyBytes: number;
  /** The span the samples cover after t = 0. */
  sampledSec: number;
}

export function observedFromSyncRun(run: SyncRun): SyncObserved {
  const masterMemory = run.series.map((s) => (s.master_rss_bytes ?? 0) + (s.child_private_dirty_bytes ?? 0));
  return {
    memTotalReplicationBuffersPeakBytes: run.summary.peak_mem_total_replication_buffers,
    peakMasterMemoryBytes: Math.max(...masterMemory),
    forks: run.summary.forks,
    fullSyncs: run.summary.sync_full_delta,
    replicaDisconnected: run.summary.output_buffer_disconnects > 0,
    aofLastCowSizeBytes: run.summary.aof_last_cow_size,
    peakChildPrivateDirtyBytes: run.summary.peak_child_private_dirty_bytes,
    sampledSec: run.series.at(-1)!.t_s,
  };
}
