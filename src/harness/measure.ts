// Measures one scenario on a redis-server of its own: fill, optional fragmentation, probe saves
// to size rdb-key-save-delay, a paced write load, then BGSAVE sampled every ~100 ms until the
// child exits. Returns the run in the ground-truth shape. Whatever it starts or changes — the
// server, its BGSAVE child, the temp dir, the THP switch — is undone on every way out.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { round } from '../engine/numbers.js';
import { CleanupStack, guardProcess } from './cleanup.js';
import { connectLoopback } from './connect.js';
import { hostFacts, thpVmstat, type HostFacts } from './environment.js';
import { fileBytes } from './files.js';
import { fillDataset, keysForDataset, type FillResult } from './fill.js';
import { findForkChild } from './fork-child.js';
import { freePort } from './free-port.js';
import { engineDistribution } from '../measured-run/scenario-from-run.js';
import { distributionLabel, type RunSample } from '../measured-run/schema.js';
import type { ValidationScenario } from '../measured-run/validation-scenario.js';
import { defaultMaxInflight } from './pacing.js';
import { probeSave, rdbBytesPerKey, segmentRdbBytesPerKey, waitForSaveEnd } from './probe.js';
import { readProcStat, readSmapsRollup, readThpEnabled, type SmapsRollup } from './proc.js';
import { infoNumber, parseInfo, type RedisInfo } from './redis-info.js';
import { RedisServer } from './redis-server.js';
import { sampleSnapshot } from './sampler.js';
import type { LoadSegment } from './segment-commands.js';
import { applyTtls, fillSegments } from './segment-fill.js';
import { planDelay, type SaveProbe } from './save-delay.js';
import { summarize, type RunSummary } from './summary.js';
import { readThp, setThpFor } from './thp.js';
import { ZERO_WRITER_COUNTS } from './writer-protocol.js';
import { WriteLoad } from './writer.js';

export interface MeasureOptions {
  /** Port for the server; a free one when absent. */
  port?: number | undefined;
  /** @defaultValue 'redis-server' */
  executable?: string;
  /** Progress lines for a person watching. */
  log?: (line: string) => void;
}

export interface MeasuredRun {
  /** write_op: SET for the one-size fill; each segment's own op (fill.segments) otherwise. */
  scenario: ValidationScenario & { write_op: 'SET' | 'per segment'; memory_purge_before_fork: true };
  scenario_description: string;
  environment: HostFacts & {
    thp_system_setting_at_start: string | null;
    thp_setting_before_run: string | null;
    thp_method: string;
    redis_disable_thp: 'yes' | 'no';
    redis_process_thp_enabled: number | null;
    redis_port: number;
    redis_pid: number;
    bgsave_child_pid: number;
    redis_dir: string;
    loadavg_at_end: number[];
    harness_wall_seconds: number;
  };
  fill: FillResult['record'];
  calibration: {
    per_key_target_us: number;
    rdb_bytes_per_key: number;
    method: 'probe' | 'fixed';
    probes: SaveProbe[];
    serialize_cost_us_per_key: number | null;
    predicted_seconds: number | null;
    rdb_key_save_delay: number;
  };
  prefork: { info: RedisInfo; parent_smaps_rollup: SmapsRollup | undefined };
  postsave: { info: RedisInfo };
  writer: {
    sent: number;
    acked: number;
    errors: number;
    distinctAll: number;
    sentWin: number;
    distinctWin: number;
    dropped: number;
    firstError: string | null;
    maxInflight: number;
    maxInflightSeen: number;
  };
  summary: RunSummary;
  series: RunSample[];
}

const KiB = 1024;
/** A child that lives this many times its target (plus a minute) fails the run: the save hung. */
const MAX_SNAPSHOT_FACTOR = 10;

const bytesLabel = (bytes: number) => (bytes >= KiB && bytes % KiB === 0 ? `${bytes / KiB} KiB` : `${bytes} B`);

/** "hash 16×32 B", "string 4 KiB", "set 100×int" …, each with its share or key count. */
function segmentsLabel(s: ValidationScenario): string {
  return s
    .segments!.map((g) => {
      const size = g.type === 'string' ? (g.write_op === 'INCR' ? 'counters' : bytesLabel(g.value_bytes!)) : `${g.elements}×${g.int_members ? 'int' : bytesLabel(g.element_bytes!)}`;
      const amount = g.share !== undefined ? `${Math.round(100 * g.share)}%` : `${g.keys} keys`;
      return `${g.type} ${size} (${amount}${g.ttl ? `, ${Math.round(100 * g.ttl.share)}% TTL` : ''})`;
    })
    .join(' + ');
}

export function describeScenario(s: ValidationScenario): string {
  const size = s.dataset_mib !== undefined ? `${s.dataset_mib} MiB` : `${s.keys} keys`;
  const d = s.distribution;
  const dist = distributionLabel(d);
  if (s.segments) return `${size}: ${segmentsLabel(s)}, ${s.write_rate} writes/s ${dist}, THP ${s.thp}, ${s.snapshot_seconds}s`;
  const frag = s.fragmentation.induce ? `x${s.fragmentation.fill_factor}` : 'none';
  return `${size}, ${bytesLabel(s.value_bytes!)} values, ${s.write_rate} SET/s ${dist}, THP ${s.thp}, frag ${frag}, ${s.snapshot_seconds}s`;
}

/** In-flight commands for a load of segments: as for strings of the largest element a write sends. */
const segmentMaxInflight = (segments: LoadSegment[]) => defaultMaxInflight(Math.max(...segments.map((g) => g.elementBytes)));

export async function measureScenario(scenario: ValidationScenario, options: MeasureOptions = {}): Promise<MeasuredRun> {
  const log = options.log ?? (() => undefined);
  const wallStart = performance.now();
  const cleanup = new CleanupStack();
  const unguard = guardProcess(cleanup);
  const host = hostFacts(options.executable);
  try {
    const thpAtStart = safeReadThp();
    const huge = scenario.thp === 'always';
    if (huge) setThpFor('always', cleanup);
    const dir = mkdtempSync(join(tmpdir(), 'forkcast-validate-'));
    const removeDir = () => rmSync(dir, { recursive: true, force: true });
    cleanup.add(`remove ${dir}`, async () => removeDir(), removeDir);

    const port = options.port ?? (await freePort());
    const server = await RedisServer.start({ port, dir, disableThp: !huge, executable: options.executable }, cleanup);
    const redis = connectLoopback(port);
    await redis.connect();
    cleanup.add('close the control connection', async () => redis.disconnect(), () => redis.disconnect());
    log(`redis-server pid ${server.pid} on 127.0.0.1:${port}, dir ${dir}`);

    let fill: FillResult;
    let segments: LoadSegment[] | undefined;
    if (scenario.segments) {
      const filled = await fillSegments(redis, port, scenario);
      fill = { record: filled.record, keySpace: filled.record.keys, survivors: undefined };
      segments = filled.segments;
    } else {
      const keys = scenario.keys ?? keysForDataset(scenario.dataset_mib!, scenario.value_bytes!);
      fill = await fillDataset(redis, {
        keys,
        valueBytes: scenario.value_bytes!,
        fragmentation: scenario.fragmentation,
        seed: scenario.seed,
        bytesPerKeyEstimate: scenario.dataset_mib !== undefined ? (scenario.dataset_mib * 2 ** 20) / keys : 0,
      });
    }
    const liveKeys = fill.record.keys;
    log(`filled ${liveKeys} keys in ${fill.record.seconds} s, mem_fragmentation_ratio ${fill.record.mem_fragmentation_ratio}`);
    await redis.call('MEMORY', 'PURGE');

    // Size rdb-key-save-delay so that the save lasts about snapshot_seconds. The probes run
    // before the write load: writes during a probe's life would be copied, and on THP split
    // the parent's huge pages before the measured fork. Under the load the save then runs
    // longer than planned; the engine is fed the measured length.
    const probes: SaveProbe[] = [];
    const bytesPerKey = round(segments ? await segmentRdbBytesPerKey(redis, segments) : await rdbBytesPerKey(redis), 1);
    let delay = scenario.rdb_key_save_delay ?? 0;
    let predictedSec: number | null = null;
    if (scenario.rdb_key_save_delay === null && scenario.probe) {
      const probe = (d: number) => probeSave(redis, server, { keys: liveKeys, bytesPerKey, delay: d, maxSec: scenario.probe_seconds });
      const base = await probe(0);
      probes.push(base);
      let plan = planDelay(liveKeys, scenario.snapshot_seconds, probes);
      if (plan.delay !== 0) {
        probes.push(await probe(plan.delay));
        plan = planDelay(liveKeys, scenario.snapshot_seconds, probes);
      }
      delay = plan.delay;
      predictedSec = plan.predictedSec;
      log(`probe: ${base.per_key_us} µs/key without delay; rdb-key-save-delay ${delay} → ~${plan.predictedSec.toFixed(1)} s`);
    }

    const maxInflight = scenario.max_inflight ?? (segments ? segmentMaxInflight(segments) : defaultMaxInflight(scenario.value_bytes!));
    let load: WriteLoad | undefined;
    if (scenario.write_rate > 0) {
      const survivors = fill.survivors ? new SharedArrayBuffer(fill.survivors.byteLength) : undefined;
      if (survivors && fill.survivors) new Uint32Array(survivors).set(fill.survivors);
      load = await WriteLoad.start({
        port,
        keys: liveKeys,
        keySpace: fill.keySpace,
        survivors,
        valueBytes: scenario.value_bytes ?? 1,
        segments,
        distribution: engineDistribution(scenario.distribution),
        writesPerSec: scenario.write_rate,
        seed: scenario.seed,
        maxInflight,
      });
      const stopLoad = async () => void (await load!.stop());
      cleanup.add('stop the write load', stopLoad, () => undefined);
    }

    const warmupStart = load?.counts() ?? ZERO_WRITER_COUNTS;
    const warmupStartedAt = performance.now();
    if (load) await sleep(scenario.warmup_seconds * 1000);
    // Expiries last: set before the probes or the warm-up, they would fall due before the fork.
    const ttlsSetAt = await applyTtls(port, fill.record, scenario.seed);
    // The load ran on while they were set: the warm-up's rate counts that time.
    const warmupSec = (performance.now() - warmupStartedAt) / 1000;

    await redis.call('MEMORY', 'PURGE');
    const preforkInfo = parseInfo(await redis.info());
    const parentSmaps = readSmapsRollup(server.pid);
    if (!parentSmaps) throw new Error(`cannot read /proc/${server.pid}/smaps_rollup of our redis-server (run as its owner or root)`);
    const thpBefore = safeReadThp();
    await redis.config('SET', 'rdb-key-save-delay', String(delay));
    const vmstatBefore = thpVmstat();

    load?.openWindow();
    const atBgsave = load?.counts() ?? ZERO_WRITER_COUNTS;
    const parentAtBgsave = readProcStat(server.pid);
    const startedAt = performance.now();
    await redis.bgsave();
    const bgsaveReplyMs = performance.now() - startedAt;
    if (ttlsSetAt !== null) for (const g of fill.record.segments ?? []) if (g.ttl) g.ttl.lead_seconds = round((startedAt - ttlsSetAt) / 1000, 3);
    const childPid = await findForkChild(server);
    const forkUsec = infoNumber(parseInfo(await redis.info('stats')), 'latest_fork_usec') ?? 0;
    log(`BGSAVE child ${childPid}, fork ${(forkUsec / 1000).toFixed(1)} ms`);

    const sampling = await sampleSnapshot({
      redis,
      server,
      childPid,
      startedAt,
      load,
      baseline: atBgsave,
      intervalMs: scenario.sample_interval_ms,
      rdbBytesPerKey: bytesPerKey,
      watchThp: huge,
      maxSec: scenario.snapshot_seconds * MAX_SNAPSHOT_FACTOR + 60,
    });
    const snapshotSec = (sampling.exitedAt - startedAt) / 1000;
    const vmstatAfter = thpVmstat();
    await waitForSaveEnd(redis);
    const postsave = parseInfo(await redis.info());
    const stopped = load ? await load.stop() : { firstError: null, counts: ZERO_WRITER_COUNTS };
    const final = stopped.counts;
    const processThp = readThpEnabled(server.pid);
    log(`child lived ${snapshotSec.toFixed(2)} s; ${sampling.countsAtExit.acked - atBgsave.acked} writes acknowledged meanwhile`);

    const rdbFileBytes = fileBytes(join(dir, 'dump.rdb'));
    const summary = summarize({
      keys: liveKeys,
      forkUsec,
      bgsaveReplyMs,
      snapshotSec,
      snapshotTargetSec: scenario.snapshot_seconds,
      writeRateTarget: scenario.write_rate,
      warmupSec: load ? warmupSec : 0,
      prefork: { info: preforkInfo, parentSmaps, parentRssBytes: parentSmaps.Rss ?? 0 },
      postsave,
      rdbFileBytes,
      series: sampling.series,
      counts: { warmupStart, atBgsave, atExit: sampling.countsAtExit, final },
      writerFirstError: stopped.firstError,
      parent: { atBgsave: parentAtBgsave, atExit: sampling.parentAtExit },
      child: sampling.childLast,
      sampleIntervalMs: scenario.sample_interval_ms,
      thpValuesSeen: sampling.thpValuesSeen,
      thpVmstatDelta: Object.fromEntries(Object.entries(vmstatAfter).map(([k, v]) => [k, v - (vmstatBefore[k] ?? 0)])),
    });

    const failures = await cleanup.runAll();
    if (failures.length > 0) throw new Error(`cleanup failed: ${failures.join('; ')}`);
    return {
      scenario: { ...scenario, write_op: segments ? 'per segment' : 'SET', memory_purge_before_fork: true },
      scenario_description: describeScenario(scenario),
      environment: {
        ...host,
        thp_system_setting_at_start: thpAtStart,
        thp_setting_before_run: thpBefore,
        thp_method: huge ? 'system switch set to always for the run + redis disable-thp no' : 'system switch untouched; redis disable-thp yes',
        redis_disable_thp: huge ? 'no' : 'yes',
        redis_process_thp_enabled: processThp,
        redis_port: port,
        redis_pid: server.pid,
        bgsave_child_pid: childPid,
        redis_dir: dir,
        loadavg_at_end: loadavg().map((l) => round(l, 2)),
        harness_wall_seconds: round((performance.now() - wallStart) / 1000, 1),
      },
      fill: fill.record,
      calibration: {
        per_key_target_us: Math.round(((scenario.snapshot_seconds * 1e6) / liveKeys) * 1e4) / 1e4,
        rdb_bytes_per_key: bytesPerKey,
        method: probes.length > 0 ? 'probe' : 'fixed',
        probes,
        serialize_cost_us_per_key: probes[0]?.per_key_us ?? null,
        predicted_seconds: predictedSec === null ? null : round(predictedSec, 2),
        rdb_key_save_delay: delay,
      },
      prefork: { info: preforkInfo, parent_smaps_rollup: parentSmaps },
      postsave: { info: postsave },
      writer: {
        sent: final.sent,
        acked: final.acked,
        errors: final.errors,
        distinctAll: final.distinctAll,
        sentWin: final.sentWindow,
        distinctWin: final.distinctWindow,
        dropped: final.dropped,
        firstError: stopped.firstError,
        maxInflight,
        maxInflightSeen: final.maxInflightSeen,
      },
      summary,
      series: sampling.series,
    };
  } finally {
    const failures = await cleanup.runAll();
    unguard();
    if (failures.length > 0) log(`cleanup failed: ${failures.join('; ')}`);
  }
}

function safeReadThp(): string | null {
  try {
    return readThp();
  } catch {
    return null;
  }
}
