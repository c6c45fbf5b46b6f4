// A master serving a full sync to real replicas on loopback, measured the way Redis measures
// it: a master and replica redis-servers of the run's own, the master filled with DEBUG
// POPULATE, its saves stretched with rdb-key-save-delay, a paced SET load, then REPLICAOF on
// the replicas (t_s = 0) and a sample every 100 ms of the master's INFO and CLIENT LIST (the
// replica client's omem is what client-output-buffer-limit is checked against,
// src/networking.c getClientOutputBufferMemoryUsage), the fork child's Private_Dirty, the
// replica's INFO and RSS, and the writes acknowledged. The same under a BGREWRITEAOF with no
// replica. The mechanism behind what it sees: validation/REPLICATION.md. Used by
// validation/sync-probe.ts (the fixtures in test/fixtures/replication/) and `forkcast validate`.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { round } from '../engine/numbers.js';
import type { SyncValidationScenario } from '../measured-run/validation-scenario.js';
import { setCommandBytes } from '../engine/replication-stream.js';
import { within } from '../runtime/deadline.js';
import { CleanupStack, guardProcess, interruptedBy } from './cleanup.js';
import { connectLoopback } from './connect.js';
import { hostFacts } from './environment.js';
import { fillUncompressed } from './fill.js';
import { liveChild } from './fork-child.js';
import { freePort, isPortFree } from './free-port.js';
import { defaultMaxInflight } from './pacing.js';
import { stretchSaves } from './probe.js';
import { hasExited, readProcStat, readSmapsRollup } from './proc.js';
import { configGet, infoNumber, parseInfo, type RedisInfo } from './redis-info.js';
import { RedisServer } from './redis-server.js';
import { readThp } from './thp.js';
import { WriteLoad } from './writer.js';

const SAMPLE_MS = 100;
const CHILD_WATCH_MS = 5;
/** Samples kept before t_s = 0, to show the steady state. */
const LEAD_SEC = 1;
const LOG_LINES_KEPT = 400;
const REPLICA_INFO_WAIT_MS = 80;

export interface OutputBufferLimitSpec {
  hardBytes: number;
  softBytes: number;
  softSec: number;
}

export interface SyncProbeSpec {
  description: string;
  trigger: 'full-sync' | 'aof-rewrite';
  /** repl-diskless-sync */
  diskless: boolean;
  /** repl-diskless-sync-delay, s (7.0 default 5). */
  disklessSyncDelaySec: number;
  /** client-output-buffer-limit replica; undefined keeps the default 256mb 64mb 60. */
  outputBufferLimit?: OutputBufferLimitSpec;
  /** The master's `save` rule, set after the probe saves; undefined keeps `save ''`. */
  saveRule?: string;
  /** Replicas sent REPLICAOF together at t_s = 0. @defaultValue 1 */
  replicas?: number;
  datasetMib: number;
  valueBytes: number;
  writesPerSec: number;
  /** What one save should take, stretched with rdb-key-save-delay. */
  saveTargetSec: number;
  /** Stop here even if the sync never settles. */
  horizonSec: number;
  /** Stop after this many forks of a full sync (a disconnect loop). */
  maxForks: number;
  /** Samples kept after the sync (or rewrite) settled. */
  afterSettleSec: number;
}

/** One 100 ms sample; null where the source did not answer or does not apply. */
interface SyncSample {
  t_s: number;
  used_memory: number | null;
  used_memory_rss: number | null;
  master_rss_bytes: number | null;
  mem_total_replication_buffers: number | null;
  mem_clients_slaves: number | null;
  mem_replication_backlog: number | null;
  rdb_bgsave_in_progress: number | null;
  aof_rewrite_in_progress: number | null;
  latest_fork_usec: number | null;
  total_forks: number | null;
  sync_full: number | null;
  sync_partial_err: number | null;
  connected_slaves: number | null;
  /** slave0's state= in INFO replication: wait_bgsave, send_bulk, online. */
  slave0_state: string | null;
  /** CLIENT LIST omem of the replica client: what the output-buffer limit is checked against. */
  replica_client_omem: number | null;
  current_cow_size: number | null;
  rdb_last_cow_size: number | null;
  aof_last_cow_size: number | null;
  child_pid: number | null;
  child_private_dirty_bytes: number | null;
  replica_master_link_status: string | null;
  replica_master_sync_in_progress: number | null;
  replica_loading: number | null;
  replica_used_memory: number | null;
  replica_rss_bytes: number | null;
  writes_acked: number;
  writes_sent: number;
  info_ms: number;
  /** With more than one replica: every slaveN's state=, in INFO order. */
  slave_states?: Array<string | null>;
  /** With more than one replica: CLIENT LIST omem of every replica client, in CLIENT LIST order. */
  replica_client_omems?: number[];
  /** With more than one replica: the replica_* fields of the second replica on. */
  more_replicas?: Array<{ master_link_status: string | null; master_sync_in_progress: number | null; loading: number | null; used_memory: number | null; rss_bytes: number | null }>;
}

interface ForkRecord {
  pid: number;
  start_s: number;
  end_s: number | null;
  peak_private_dirty_bytes: number;
}

interface LogLine {
  t_s: number;
  line: string;
}

const REDIS_LOG_LINE = /^\d+:[MCSX] (\d{1,2} \w{3} \d{4} \d{2}:\d{2}:\d{2}\.\d{3}) [.\-*#] /;

/** Log lines from `fromSec` on, with t_s against `zeroEpochMs` (the log writes local time). */
function readLog(file: string, zeroEpochMs: number, fromSec: number): LogLine[] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const lines: LogLine[] = [];
  for (const line of text.split('\n')) {
    const match = REDIS_LOG_LINE.exec(line);
    if (!match) continue;
    const t = (Date.parse(match[1]!) - zeroEpochMs) / 1000;
    if (t >= fromSec) lines.push({ t_s: round(t, 3), line: line.slice(match[0].length) });
  }
  return lines.slice(0, LOG_LINES_KEPT);
}

function omemsOfReplicas(clientList: string): number[] {
  const omems: number[] = [];
  for (const line of clientList.split('\n')) {
    if (!/\bflags=\w*S/.test(line)) continue;
    const match = /\bomem=(\d+)/.exec(line);
    if (match) omems.push(Number(match[1]));
  }
  return omems;
}
const omemOfReplica = (clientList: string): number | null => omemsOfReplicas(clientList)[0] ?? null;

function slaveState(info: RedisInfo, i = 0): string | null {
  const line = info[`slave${i}`];
  if (typeof line !== 'string') return null;
  return /state=(\w+)/.exec(line)?.[1] ?? null;
}

/** A sample's reading, or undefined when the server did not answer in time (or refused). */
const answerWithin = <T>(promise: Promise<T>, ms: number) => within(promise.catch(() => undefined), ms, () => undefined);

const MASTER_CONFIG = [
  'repl-diskless-sync', 'repl-diskless-sync-delay', 'repl-diskless-sync-max-replicas', 'client-output-buffer-limit',
  'repl-backlog-size', 'repl-timeout', 'rdb-key-save-delay', 'save', 'appendonly', 'aof-use-rdb-preamble',
  'rdb-del-sync-files', 'rdbcompression', 'disable-thp', 'shutdown-timeout',
]; // prettier-ignore
const REPLICA_CONFIG = ['repl-diskless-load', 'repl-timeout', 'save', 'disable-thp'];

export interface SyncProbeOptions {
  /** The master's loopback port, its replicas' the next ones; free ports when absent. */
  port?: number | undefined;
  /** @defaultValue 'redis-server' from PATH */
  executable?: string | undefined;
  /** The command line that repeats the run, recorded in it. */
  command: string;
}

/** Loopback ports for the master and its replicas: `first` and the ones after it, or free ones. */
export async function syncProbePorts(count: number, first?: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = first === undefined ? await freePort() : first + ports.length;
    if (first !== undefined && !(await isPortFree(port))) throw new Error(`port ${port} is in use on 127.0.0.1`);
    if (!ports.includes(port)) ports.push(port);
  }
  if (ports.includes(6379)) throw new Error('refusing port 6379');
  return ports;
}

export async function runSyncProbe(name: string, spec: SyncProbeSpec, log: (line: string) => void, options: SyncProbeOptions) {
  const wallStart = performance.now();
  const cleanup = new CleanupStack();
  const unguard = guardProcess(cleanup);
  const host = hostFacts(options.executable);
  const executable = options.executable;
  try {
    const thp = readThp();
    const makeDir = (role: string) => {
      const dir = mkdtempSync(join(tmpdir(), `forkcast-sync-${role}-`));
      const remove = () => rmSync(dir, { recursive: true, force: true });
      cleanup.add(`remove ${dir}`, async () => remove(), remove);
      return dir;
    };
    const withReplica = spec.trigger === 'full-sync';
    const replicaCount = withReplica ? (spec.replicas ?? 1) : 0;
    const [masterPort, ...replicaPorts] = (await syncProbePorts(1 + replicaCount, options.port)) as [number, ...number[]];
    const replicaPort = replicaPorts[0] ?? null;
    const master = await RedisServer.start({ port: masterPort, dir: makeDir('master'), disableThp: true, executable }, cleanup);
    // Started second, stopped first: a master shutting down waits for its replicas.
    const replicas: RedisServer[] = [];
    for (let i = 0; i < replicaCount; i++) {
      replicas.push(await RedisServer.start({ port: replicaPorts[i]!, dir: makeDir(i === 0 ? 'replica' : `replica${i}`), disableThp: true, executable }, cleanup));
    }
    const replica = replicas[0];

    const redis = connectLoopback(masterPort);
    const sampler = connectLoopback(masterPort);
    const replicaConns = replicas.map((_, i) => connectLoopback(replicaPorts[i]!));
    const replicaRedis = replicaConns[0];
    for (const r of [redis, sampler, ...replicaConns]) {
      await r.connect();
      cleanup.add('close a control connection', async () => r.disconnect(), () => r.disconnect());
    }
    log(`master pid ${master.pid} on ${masterPort}${replicas.map((r, i) => `, replica pid ${r.pid} on ${replicaPorts[i]}`).join('')}`);

    await redis.config('SET', 'shutdown-timeout', '0');
    await redis.config('SET', 'repl-diskless-sync', spec.diskless ? 'yes' : 'no');
    await redis.config('SET', 'repl-diskless-sync-delay', String(spec.disklessSyncDelaySec));
    if (spec.outputBufferLimit) {
      const l = spec.outputBufferLimit;
      await redis.config('SET', 'client-output-buffer-limit', `replica ${l.hardBytes} ${l.softBytes} ${l.softSec}`);
    }

    const { keys, fill } = await fillUncompressed(redis, spec.datasetMib, spec.valueBytes, log);
    const { bytesPerKey, probes, plan } = await stretchSaves(redis, master, keys, spec.saveTargetSec);
    log(`save: ${probes[0]!.per_key_us} µs/key without delay; rdb-key-save-delay ${plan.delay}, predicted ${round(plan.predictedSec, 1)} s`);
    if (spec.saveRule !== undefined) await redis.config('SET', 'save', spec.saveRule);

    if (spec.trigger === 'aof-rewrite') {
      // Turning AOF on starts a rewrite of its own: let it finish before the measured one.
      await redis.config('SET', 'rdb-key-save-delay', '0');
      await redis.config('SET', 'appendonly', 'yes');
      await waitFor(async () => infoNumber(parseInfo(await redis.info('persistence')), 'aof_rewrite_in_progress') === 0 && !liveChild(master.pid), 60_000);
      await redis.config('SET', 'rdb-key-save-delay', String(plan.delay));
    }

    const config = {
      master: await configGet(redis, MASTER_CONFIG),
      replica: replicaRedis ? await configGet(replicaRedis, REPLICA_CONFIG) : null,
    };
    const before = parseInfo(String(await redis.call('INFO', 'stats', 'persistence')));

    const load = await WriteLoad.start({
      port: masterPort,
      keys,
      keySpace: fill.keySpace,
      valueBytes: spec.valueBytes,
      distribution: { type: 'uniform' },
      writesPerSec: spec.writesPerSec,
      seed: 7,
      maxInflight: defaultMaxInflight(spec.valueBytes),
    });
    cleanup.add('stop the write load', async () => void (await load.stop()), () => undefined);

    // Fork children, seen by a 5 ms watcher of the master's children.
    const forks: ForkRecord[] = [];
    let zeroAt = performance.now() + LEAD_SEC * 1000;
    const tNow = () => (performance.now() - zeroAt) / 1000;
    let current: ForkRecord | undefined;
    const watch = () => {
      if (current) {
        const stat = readProcStat(current.pid);
        if (!stat || hasExited(stat)) {
          current.end_s = round(tNow(), 3);
          current = undefined;
        }
      }
      if (!current) {
        const pid = liveChild(master.pid);
        if (pid !== undefined) {
          master.trackForkChild(pid);
          current = { pid, start_s: round(tNow(), 3), end_s: null, peak_private_dirty_bytes: 0 };
          forks.push(current);
        }
      }
    };
    const watcher = setInterval(watch, CHILD_WATCH_MS);
    cleanup.add('stop the child watcher', async () => clearInterval(watcher), () => clearInterval(watcher));

    const replicaAsking = replicaConns.map(() => false);
    const askReplica = (r: Redis, i: number) => {
      replicaAsking[i] = true;
      return r.call('INFO', 'replication', 'persistence', 'memory').then(String).finally(() => (replicaAsking[i] = false));
    };
    const series: SyncSample[] = [];
    let zeroEpochMs = 0;
    let triggered = false;
    let settledAt: number | undefined;
    let baseCounts = load.counts();
    let next = performance.now();
    for (;;) {
      if (interruptedBy()) throw new Error(`interrupted by ${interruptedBy()}`);
      if (!triggered && performance.now() >= zeroAt) {
        baseCounts = load.counts();
        zeroAt = performance.now();
        zeroEpochMs = Date.now();
        if (replicaConns.length > 0) await Promise.all(replicaConns.map((r) => r.call('REPLICAOF', '127.0.0.1', String(masterPort))));
        else await redis.call('BGREWRITEAOF');
        triggered = true;
        log('t = 0: ' + (replicaRedis ? `REPLICAOF 127.0.0.1 ${masterPort}${replicaConns.length > 1 ? ` to ${replicaConns.length} replicas` : ''}` : 'BGREWRITEAOF'));
      }
      watch();
      const t = tNow();
      const child = current;
      const smaps = child ? readSmapsRollup(child.pid) : undefined;
      if (child && smaps) child.peak_private_dirty_bytes = Math.max(child.peak_private_dirty_bytes, smaps.Private_Dirty ?? 0);
      const counts = load.counts();
      const started = performance.now();
      const [mInfo, clients, ...rInfos] = await Promise.all([
        answerWithin(sampler.call('INFO', 'memory', 'persistence', 'stats', 'replication').then(String), 2000),
        withReplica ? answerWithin(sampler.call('CLIENT', 'LIST', 'TYPE', 'replica').then(String), 2000) : Promise.resolve(undefined),
        // A replica loading an RDB answers only between chunks: never let it hold up the master's
        // sample, and keep one question outstanding at a time.
        ...replicaConns.map((rc, i) => (!replicaAsking[i] ? answerWithin(askReplica(rc, i), REPLICA_INFO_WAIT_MS) : Promise.resolve(undefined))),
      ]);
      const infoMs = performance.now() - started;
      const m = mInfo ? parseInfo(mInfo) : {};
      const rs = rInfos.map((text) => (text ? parseInfo(text) : {}));
      const r = rs[0] ?? {};
      const n = (info: RedisInfo, field: string) => infoNumber(info, field);
      const sample: SyncSample = {
        t_s: round(t, 3),
        used_memory: n(m, 'used_memory'),
        used_memory_rss: n(m, 'used_memory_rss'),
        master_rss_bytes: readProcStat(master.pid)?.rssBytes ?? null,
        mem_total_replication_buffers: n(m, 'mem_total_replication_buffers'),
        mem_clients_slaves: n(m, 'mem_clients_slaves'),
        mem_replication_backlog: n(m, 'mem_replication_backlog'),
        rdb_bgsave_in_progress: n(m, 'rdb_bgsave_in_progress'),
        aof_rewrite_in_progress: n(m, 'aof_rewrite_in_progress'),
        latest_fork_usec: n(m, 'latest_fork_usec'),
        total_forks: n(m, 'total_forks'),
        sync_full: n(m, 'sync_full'),
        sync_partial_err: n(m, 'sync_partial_err'),
        connected_slaves: n(m, 'connected_slaves'),
        slave0_state: slaveState(m),
        replica_client_omem: clients ? omemOfReplica(clients) : null,
        current_cow_size: n(m, 'current_cow_size'),
        rdb_last_cow_size: n(m, 'rdb_last_cow_size'),
        aof_last_cow_size: n(m, 'aof_last_cow_size'),
        child_pid: smaps ? child!.pid : null,
        child_private_dirty_bytes: smaps?.Private_Dirty ?? null,
        replica_master_link_status: typeof r.master_link_status === 'string' ? r.master_link_status : null,
        replica_master_sync_in_progress: n(r, 'master_sync_in_progress'),
        replica_loading: n(r, 'loading'),
        replica_used_memory: n(r, 'used_memory'),
        replica_rss_bytes: replica ? (readProcStat(replica.pid)?.rssBytes ?? null) : null,
        writes_acked: counts.acked - baseCounts.acked,
        writes_sent: counts.sent - baseCounts.sent,
        info_ms: round(infoMs, 1),
      };
      if (replicas.length > 1) {
        sample.slave_states = replicas.map((_, i) => slaveState(m, i));
        sample.replica_client_omems = clients ? omemsOfReplicas(clients) : [];
        sample.more_replicas = rs.slice(1).map((ri, j) => ({
          master_link_status: typeof ri.master_link_status === 'string' ? ri.master_link_status : null,
          master_sync_in_progress: n(ri, 'master_sync_in_progress'),
          loading: n(ri, 'loading'),
          used_memory: n(ri, 'used_memory'),
          rss_bytes: readProcStat(replicas[j + 1]!.pid)?.rssBytes ?? null,
        }));
      }
      series.push(sample);

      if (triggered) {
        const othersSettled = (sample.more_replicas ?? []).every((x) => x.master_link_status === 'up' && x.master_sync_in_progress === 0 && x.loading === 0);
        const settled = withReplica
          ? sample.replica_master_link_status === 'up' && sample.replica_master_sync_in_progress === 0 && sample.replica_loading === 0 &&
            (sample.slave_states ?? [sample.slave0_state]).every((state) => state === 'online') && othersSettled && !current
          : sample.aof_rewrite_in_progress === 0 && !current && forks.length > 0;
        if (settled) settledAt ??= t;
        if (settledAt !== undefined && t - settledAt >= spec.afterSettleSec) break;
        if (t >= spec.horizonSec) break;
        if (withReplica && forks.length >= spec.maxForks && !current) break;
      }
      next = Math.max(next + SAMPLE_MS, performance.now());
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
    }
    clearInterval(watcher);
    const writer = await load.stop();
    const after = parseInfo(String(await redis.call('INFO', 'persistence')));
    const loadEnd = loadavg().map((l) => round(l, 2));
    const masterLog = readLog(master.logFile, zeroEpochMs, -LEAD_SEC);
    const replicaLog = replica ? readLog(replica.logFile, zeroEpochMs, -LEAD_SEC) : [];
    // With more than one replica, the others' logs as replica1, replica2, …
    const moreReplicaLogs = Object.fromEntries(replicas.slice(1).map((r, i) => [`replica${i + 1}`, readLog(r.logFile, zeroEpochMs, -LEAD_SEC)]));

    const measuredForks = forks.filter((f) => f.start_s >= -0.05);
    const peak = (field: keyof SyncSample) =>
      series.reduce((best, s) => (typeof s[field] === 'number' && (s[field] as number) > best ? (s[field] as number) : best), 0);
    const disconnects = masterLog.filter((l) => /overcoming of output buffer limits|Connection with replica .* lost/.test(l.line));
    const keyBytes = fill.record.key_bytes;
    const last = series.at(-1);
    return {
      name,
      description: spec.description,
      command: options.command,
      measured_at: new Date(zeroEpochMs).toISOString(),
      t0: withReplica ? 'REPLICAOF sent to the replica' : 'BGREWRITEAOF sent to the master',
      environment: {
        ...host,
        thp_system_setting: thp,
        loadavg_at_end: loadEnd,
        master_port: masterPort,
        replica_port: replica ? replicaPort : null,
        ...(replicas.length > 1 ? { replica_ports: replicaPorts } : {}),
        harness_wall_seconds: round((performance.now() - wallStart) / 1000, 1),
      },
      spec,
      config,
      dataset: fill.record,
      save: {
        rdb_bytes_per_key: round(bytesPerKey, 1),
        probes,
        rdb_key_save_delay: plan.delay,
        predicted_save_seconds: round(plan.predictedSec, 2),
      },
      load: {
        writes_per_sec: spec.writesPerSec,
        value_bytes: spec.valueBytes,
        key_bytes: keyBytes,
        replication_bytes_per_write: setCommandBytes(keyBytes, spec.valueBytes),
        sent: writer.counts.sent - baseCounts.sent,
        acked: writer.counts.acked - baseCounts.acked,
        errors: writer.counts.errors,
        dropped: writer.counts.dropped,
        first_error: writer.firstError,
      },
      summary: {
        forks: measuredForks.length,
        // Over the sampled span: a replica may ask again, and be forked for, while the run stops.
        total_forks_delta: (last?.total_forks ?? 0) - (infoNumber(before, 'total_forks') ?? 0),
        sync_full_delta: (last?.sync_full ?? 0) - (infoNumber(before, 'sync_full') ?? 0),
        output_buffer_disconnects: disconnects.filter((l) => /overcoming of output buffer limits/.test(l.line)).length,
        settled_at_s: settledAt === undefined ? null : round(settledAt, 3),
        peak_child_private_dirty_bytes: peak('child_private_dirty_bytes'),
        peak_mem_total_replication_buffers: peak('mem_total_replication_buffers'),
        peak_mem_clients_slaves: peak('mem_clients_slaves'),
        peak_replica_client_omem: peak('replica_client_omem'),
        peak_used_memory: peak('used_memory'),
        peak_replica_used_memory: peak('replica_used_memory'),
        rdb_last_cow_size: infoNumber(after, 'rdb_last_cow_size'),
        aof_last_cow_size: infoNumber(after, 'aof_last_cow_size'),
        latest_fork_usec: last?.latest_fork_usec ?? null,
      },
      forks: measuredForks,
      log: { master: masterLog, replica: replicaLog, ...moreReplicaLogs } as Record<string, LogLine[]> & { master: LogLine[]; replica: LogLine[] },
      series,
    };
  } finally {
    const failures = await cleanup.runAll();
    unguard();
    for (const failure of failures) log(`cleanup failed: ${failure}`);
  }
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export type SyncProbeRun = Awaited<ReturnType<typeof runSyncProbe>>;

/** The probe's settings for a validation scenario of kind full-sync or aof-rewrite. */
export function syncProbeSpec(s: SyncValidationScenario): SyncProbeSpec {
  return {
    description: s.description ?? s.name,
    trigger: s.kind,
    diskless: s.diskless ?? false,
    disklessSyncDelaySec: s.diskless_sync_delay_sec ?? 5,
    ...(s.output_buffer_limit ? { outputBufferLimit: s.output_buffer_limit } : {}),
    ...(s.save !== '' ? { saveRule: s.save } : {}),
    ...(s.replicas !== undefined ? { replicas: s.replicas } : {}),
    datasetMib: s.dataset_mib,
    valueBytes: s.value_bytes,
    writesPerSec: s.write_rate,
    saveTargetSec: s.snapshot_seconds,
    horizonSec: s.horizon_seconds,
    // A rewrite forks once; the probe counts forks only for a full sync's loop.
    maxForks: s.kind === 'full-sync' ? s.max_forks : 1,
    afterSettleSec: s.after_settle_seconds,
  };
}

/** Measures a validation scenario of kind full-sync or aof-rewrite. */
export function measureSyncScenario(scenario: SyncValidationScenario, log: (line: string) => void, options: SyncProbeOptions): Promise<SyncProbeRun> {
  return runSyncProbe(scenario.name, syncProbeSpec(scenario), log, options);
}
