// How fast Redis 7.0 deletes keys whose TTL passes while a BGSAVE child lives, and what those
// deletes copy. A redis-server of the run's own (ports 6460–6469), DEBUG POPULATE N string keys,
// active expiry switched off (DEBUG SET-ACTIVE-EXPIRE 0) while a seeded random share of them gets
// a PEXPIREAT, pipelined, with due times uniform over [from, to] seconds after the planned fork;
// then BGSAVE with rdb-key-save-delay 1000000 (the child saves one key a second, so it holds every
// page shared and writes almost nothing), active expiry back on (t = 0), and a sample every
// 100 ms of INFO keyspace and stats (keys, expires, expired_keys, expired_stale_perc,
// expired_time_cap_reached_count, expire_cycle_cpu_milliseconds), the child's Private_Dirty
// (smaps_rollup) and the parent's faults and CPU time. No client writes: every page the child's
// Private_Dirty gains is one the parent's expiry copied (or bookkeeping, which the `idle` case
// measures). After the sampled span the child is ended and a short tail shows what the cycle
// does once the dicts may be resized again. The mechanism: validation/EXPIRY.md. Writes
// test/fixtures/expiry/<case>.json with every repetition of the case.
//
//   npx tsx validation/expire-probe.ts <case> [--out DIR]
//   cases: uniform-10s backlog backlog-nofork uniform-10s-hz100 trickle-100b trickle-1kib
//          idle-100b no-due-hz500
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PAGE_BYTES } from '../src/engine/jemalloc.js';
import { round } from '../src/engine/numbers.js';
import { Rng } from '../src/engine/rng.js';
import { CleanupStack, guardProcess, interruptedBy } from '../src/harness/cleanup.js';
import { connectLoopback } from '../src/harness/connect.js';
import { hostFacts } from '../src/harness/environment.js';
import { fillDataset, keysForDataset } from '../src/harness/fill.js';
import { abortForkChild, findForkChild } from '../src/harness/fork-child.js';
import { isPortFree } from '../src/harness/free-port.js';
import { hasExited, readProcStat, readSmapsRollup } from '../src/harness/proc.js';
import { configGet, infoNumber, parseInfo, type RedisInfo } from '../src/harness/redis-info.js';
import { RedisServer } from '../src/harness/redis-server.js';
import { readThp } from '../src/harness/thp.js';
import { probeMain } from './probe-command.js';

/** The ports this probe may use; others on the machine are not its own. */
const PORTS = [6460, 6461, 6462, 6463, 6464, 6465, 6466, 6467, 6468, 6469];
const SAMPLE_MS = 100;
const PIPELINE_BATCH = 10_000;
const PIPELINES_IN_FLIGHT = 4;
/**
 * PEXPIREATs a second the fork is planned for (a due time already past when its PEXPIREAT runs
 * deletes the key at once, src/expire.c checkAlreadyExpired); the keyspace is checked after.
 */
const PLANNED_EXPIRES_PER_SEC = 20_000;
const PLAN_SLACK_MS = 1500;
/** DEBUG HTSTATS walks both dicts' chains: a few ms for 1 M keys. */
const HTSTATS_LEAD_MS = 100;
/** The child saves one key a second: it keeps the whole heap shared for the span. */
const SAVE_DELAY_US = 1_000_000;

export interface CaseSpec {
  description: string;
  /** Keys by DEBUG POPULATE; or `datasetMib` sizes them by the engine's layout. */
  keys?: number;
  datasetMib?: number;
  valueBytes: number;
  /** Share of the keys given a TTL, picked at random (seeded). */
  ttlShare: number;
  /** Due times uniform over [fromSec, toSec] after the fork; negative: due before it. */
  ttlFromSec: number;
  ttlToSec: number;
  hz: number;
  /** active-expire-effort (1 is the default). */
  effort: number;
  fork: boolean;
  /** Span sampled with the child alive (or without a child, the same span). */
  sampleSec: number;
  /** Span sampled after the child was ended. */
  tailSec: number;
  repeats: number;
}

const BASE = { valueBytes: 100, hz: 10, effort: 1, fork: true, sampleSec: 30, tailSec: 3, repeats: 2 } as const;

export const CASES: Record<string, CaseSpec> = {
  'uniform-10s': {
    ...BASE,
    description: '1 M keys of 100 B, 10% with a TTL due uniformly over the first 10 s of the child, hz 10',
    keys: 1_000_000,
    ttlShare: 0.1,
    ttlFromSec: 0,
    ttlToSec: 10,
  },
  backlog: {
    ...BASE,
    description: '1 M keys of 100 B, 50% already due at the fork (due 2 s to 1 s before it, active expiry held off until t = 0), hz 10',
    keys: 1_000_000,
    ttlShare: 0.5,
    ttlFromSec: -2,
    ttlToSec: -1,
  },
  'backlog-nofork': {
    ...BASE,
    description: 'as backlog without a child: the per-key cost without copy-on-write faults, and the resize the child prevents',
    keys: 1_000_000,
    ttlShare: 0.5,
    ttlFromSec: -2,
    ttlToSec: -1,
    fork: false,
  },
  'uniform-10s-hz100': {
    ...BASE,
    description: 'as uniform-10s with hz 100',
    keys: 1_000_000,
    ttlShare: 0.1,
    ttlFromSec: 0,
    ttlToSec: 10,
    hz: 100,
  },
  'trickle-100b': {
    ...BASE,
    description: '1 M keys of 100 B, 2% due uniformly over 20 s (1,000 a second): pages copied per expired key before the dicts saturate',
    keys: 1_000_000,
    ttlShare: 0.02,
    ttlFromSec: 0,
    ttlToSec: 20,
  },
  'trickle-1kib': {
    ...BASE,
    description: '240 MiB of 1 KiB keys, 10% due uniformly over 20 s (~1,000 a second): the same for values 10× larger',
    datasetMib: 240,
    valueBytes: 1024,
    ttlShare: 0.1,
    ttlFromSec: 0,
    ttlToSec: 20,
  },
  'idle-100b': {
    ...BASE,
    description: '1 M keys of 100 B, no TTL: what the parent copies with nothing to expire (bookkeeping, the sampler\'s INFO)',
    keys: 1_000_000,
    ttlShare: 0,
    ttlFromSec: 0,
    ttlToSec: 0,
  },
  'no-due-hz500': {
    ...BASE,
    description: '1 M keys of 100 B, 10% with TTLs an hour away, hz 500, no child: the cost of one slow cycle that samples one loop and expires nothing',
    keys: 1_000_000,
    ttlShare: 0.1,
    ttlFromSec: 3600,
    ttlToSec: 3700,
    hz: 500,
    fork: false,
    sampleSec: 10,
    tailSec: 0,
  },
};

/** One 100 ms sample; counters are deltas from t = 0; null where the source did not answer. */
interface ExpireSample {
  t_s: number;
  /** Keys with a TTL due by t_s (from the due times set). */
  due_keys: number;
  keys: number | null;
  expires: number | null;
  expired_keys: number | null;
  expired_stale_perc: number | null;
  expired_time_cap_reached_count: number | null;
  expire_cycle_cpu_ms: number | null;
  child_alive: boolean;
  child_private_dirty_bytes: number | null;
  parent_rss_bytes: number | null;
  parent_minflt: number | null;
  parent_cpu_s: number | null;
  used_memory: number | null;
  info_ms: number;
}

/** `db0:keys=…,expires=…,avg_ttl=…` of INFO keyspace. */
export function parseKeyspace(info: RedisInfo): { keys: number; expires: number; avgTtlMs: number } | null {
  const line = info.db0;
  if (typeof line !== 'string') return null;
  const field = (name: string) => Number(new RegExp(`${name}=(\\d+)`).exec(line)?.[1] ?? NaN);
  return { keys: field('keys'), expires: field('expires'), avgTtlMs: field('avg_ttl') };
}

/** `count` distinct key numbers below `keys`, seeded (partial Fisher–Yates). */
function pickKeys(keys: number, count: number, rng: Rng): Uint32Array {
  const order = new Uint32Array(keys);
  for (let i = 0; i < keys; i++) order[i] = i;
  for (let i = 0; i < count; i++) {
    const j = i + rng.below(keys - i);
    const swap = order[i]!;
    order[i] = order[j]!;
    order[j] = swap;
  }
  return order.slice(0, count);
}

async function pickPort(): Promise<number> {
  for (const port of PORTS) if (await isPortFree(port)) return port;
  throw new Error(`none of ports ${PORTS[0]}–${PORTS.at(-1)} is free`);
}

const CONFIG_RECORDED = [
  'hz', 'dynamic-hz', 'active-expire-effort', 'lazyfree-lazy-expire', 'activerehashing', 'rdb-key-save-delay',
  'jemalloc-bg-thread', 'disable-thp', 'save', 'appendonly', 'maxmemory',
]; // prettier-ignore

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

export async function runExpireProbe(name: string, spec: CaseSpec, repeat: number, log: (line: string) => void) {
  const wallStart = performance.now();
  const cleanup = new CleanupStack();
  const unguard = guardProcess(cleanup);
  const host = hostFacts();
  try {
    const dir = mkdtempSync(join(tmpdir(), 'forkcast-expire-'));
    const removeDir = () => rmSync(dir, { recursive: true, force: true });
    cleanup.add(`remove ${dir}`, async () => removeDir(), removeDir);
    const port = await pickPort();
    const server = await RedisServer.start({ port, dir, disableThp: true }, cleanup);
    const redis = connectLoopback(port);
    await redis.connect();
    cleanup.add('close the control connection', async () => redis.disconnect(), () => redis.disconnect());
    log(`${name} #${repeat}: redis-server pid ${server.pid} on ${port}`);

    await redis.config('SET', 'hz', String(spec.hz));
    await redis.config('SET', 'active-expire-effort', String(spec.effort));
    await redis.config('SET', 'rdb-key-save-delay', String(SAVE_DELAY_US));
    const keys = spec.keys ?? keysForDataset(spec.datasetMib!, spec.valueBytes);
    const fill = await fillDataset(redis, {
      keys,
      valueBytes: spec.valueBytes,
      fragmentation: { induce: false, fill_factor: 1 },
      seed: 1,
      bytesPerKeyEstimate: spec.datasetMib ? (spec.datasetMib * 2 ** 20) / keys : 0,
    });
    log(`filled ${keys} keys of ${spec.valueBytes} B, used_memory ${fill.record.used_memory}`);

    // Due times: uniform over [from, to] after the planned fork, whole milliseconds.
    await redis.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    const withTtl = Math.round(keys * spec.ttlShare);
    const rng = new Rng(1000 + repeat);
    const chosen = pickKeys(keys, withTtl, rng);
    const dueOffsetMs = new Float64Array(withTtl);
    for (let i = 0; i < withTtl; i++) dueOffsetMs[i] = Math.round((spec.ttlFromSec + rng.next() * (spec.ttlToSec - spec.ttlFromSec)) * 1000);
    const planMs = (withTtl / PLANNED_EXPIRES_PER_SEC) * 1000 + Math.max(0, -spec.ttlFromSec) * 1000 + PLAN_SLACK_MS;
    const forkEpochMs = Date.now() + Math.round(planMs);
    const expireStarted = performance.now();
    const sendBatch = async (from: number) => {
      const pipeline = redis.pipeline();
      for (let i = from; i < Math.min(withTtl, from + PIPELINE_BATCH); i++) pipeline.pexpireat(`key:${chosen[i]}`, forkEpochMs + dueOffsetMs[i]!);
      const replies = (await pipeline.exec()) ?? [];
      const failed = replies.find(([err, reply]) => err || reply !== 1);
      if (failed) throw new Error(`PEXPIREAT failed: ${failed[0]?.message ?? `reply ${String(failed[1])}`}`);
    };
    const inFlight = new Set<Promise<void>>();
    for (let from = 0; from < withTtl; from += PIPELINE_BATCH) {
      const batch = sendBatch(from).finally(() => inFlight.delete(batch));
      inFlight.add(batch);
      if (inFlight.size >= PIPELINES_IN_FLIGHT) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    const expireSec = (performance.now() - expireStarted) / 1000;
    const setup = parseKeyspace(parseInfo(await redis.info('keyspace')));
    if (withTtl > 0 && (setup?.keys !== keys || setup.expires !== withTtl)) {
      throw new Error(`after PEXPIREAT: ${JSON.stringify(setup)}, expected keys=${keys} expires=${withTtl} (some due times had passed; plan ${planMs} ms)`);
    }
    if (Date.now() > forkEpochMs) throw new Error(`setup overran the planned fork by ${Date.now() - forkEpochMs} ms`);
    const memory = parseInfo(await redis.info('memory'));
    const config = await configGet(redis, CONFIG_RECORDED);
    log(`${withTtl} TTLs set in ${round(expireSec, 2)} s; fork in ${forkEpochMs - Date.now()} ms`);

    // Due offsets relative to t = 0 are fixed once t = 0 is known; sorted for the due count.
    const sortedDue = Float64Array.from(dueOffsetMs).sort();

    // Memory the setup freed (the PEXPIREAT pipeline's buffers) would otherwise be purged by
    // jemalloc's decay during the span: pages the parent drops show up in the child's
    // Private_Dirty without a copy.
    await redis.call('MEMORY', 'PURGE');
    await sleep(forkEpochMs - Date.now() - HTSTATS_LEAD_MS);
    // Just before the fork: a dict still rehashing then stays half-rehashed while the child
    // lives (src/dict.c dictRehash refuses under DICT_RESIZE_AVOID).
    const htstats = String(await redis.call('DEBUG', 'HTSTATS', '0'));
    await sleep(forkEpochMs - Date.now());
    const loadStart = loadavg().map((l) => round(l, 2));
    let childPid: number | undefined;
    let childBaselineDirty = 0;
    let forkUsec: number | null = null;
    if (spec.fork) {
      await redis.call('BGSAVE');
      childPid = await findForkChild(server);
      childBaselineDirty = readSmapsRollup(childPid)?.Private_Dirty ?? 0;
      forkUsec = infoNumber(parseInfo(await redis.info('stats')), 'latest_fork_usec');
    }
    const stats0 = parseInfo(String(await redis.call('INFO', 'stats')));
    const parent0 = readProcStat(server.pid);
    await redis.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
    const zero = performance.now();
    const zeroEpochMs = Date.now();
    /** Due times against t = 0 (the fork was planned at forkEpochMs). */
    const dueShiftMs = forkEpochMs - zeroEpochMs;
    const dueBy = (tMs: number) => {
      // Keys due strictly before now: Redis expires when now > when (src/expire.c).
      let lo = 0;
      let hi = sortedDue.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (sortedDue[mid]! + dueShiftMs < tMs) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    log(`t = 0${childPid ? `: child ${childPid}, fork ${forkUsec} µs, baseline Private_Dirty ${childBaselineDirty} B` : ' (no child)'}`);

    const n0 = (info: RedisInfo, field: string) => {
      const now = infoNumber(info, field);
      const then = infoNumber(stats0, field);
      return now === null || then === null ? now : now - then;
    };
    const series: ExpireSample[] = [];
    let childEndedAt: number | undefined;
    let next = zero;
    for (;;) {
      if (interruptedBy()) throw new Error(`interrupted by ${interruptedBy()}`);
      const tMs = performance.now() - zero;
      if (childPid !== undefined && childEndedAt === undefined && tMs >= spec.sampleSec * 1000) {
        abortForkChild(server, childPid);
        childEndedAt = tMs / 1000;
        log(`child ended at ${round(childEndedAt, 2)} s`);
      }
      if (tMs >= (spec.sampleSec + spec.tailSec) * 1000) break;
      const childStat = childPid !== undefined ? readProcStat(childPid) : undefined;
      const alive = childStat !== undefined && !hasExited(childStat) && childEndedAt === undefined;
      const smaps = alive ? readSmapsRollup(childPid!) : undefined;
      const parent = readProcStat(server.pid);
      const started = performance.now();
      const info = parseInfo(String(await redis.call('INFO', 'keyspace', 'stats', 'memory')));
      const infoMs = performance.now() - started;
      const ks = parseKeyspace(info);
      series.push({
        t_s: round(tMs / 1000, 3),
        due_keys: dueBy(tMs),
        keys: ks?.keys ?? 0,
        expires: ks?.expires ?? 0,
        expired_keys: n0(info, 'expired_keys'),
        expired_stale_perc: infoNumber(info, 'expired_stale_perc'),
        expired_time_cap_reached_count: n0(info, 'expired_time_cap_reached_count'),
        expire_cycle_cpu_ms: n0(info, 'expire_cycle_cpu_milliseconds'),
        child_alive: alive,
        child_private_dirty_bytes: smaps?.Private_Dirty ?? null,
        parent_rss_bytes: parent?.rssBytes ?? null,
        parent_minflt: parent && parent0 ? parent.minflt - parent0.minflt : null,
        parent_cpu_s: parent && parent0 ? round(parent.utimeSec + parent.stimeSec - parent0.utimeSec - parent0.stimeSec, 2) : null,
        used_memory: infoNumber(info, 'used_memory'),
        info_ms: round(infoMs, 2),
      });
      next = Math.max(next + SAMPLE_MS, performance.now());
      await sleep(next - performance.now());
    }
    const loadEnd = loadavg().map((l) => round(l, 2));
    const after = parseInfo(String(await redis.call('INFO', 'stats', 'persistence')));

    return {
      repeat,
      measured_at: new Date(zeroEpochMs).toISOString(),
      environment: { ...host, loadavg_at_fork: loadStart, loadavg_at_end: loadEnd, thp_system_setting: readThp(), port, harness_wall_seconds: round((performance.now() - wallStart) / 1000, 1) },
      config,
      dataset: fill.record,
      setup: {
        keys_with_ttl: withTtl,
        pexpireat_seconds: round(expireSec, 2),
        /** t = 0 came this many ms after the planned fork time the due offsets refer to. */
        t0_after_planned_fork_ms: -dueShiftMs,
        child_pid: childPid ?? null,
        latest_fork_usec: forkUsec,
        child_private_dirty_at_t0_bytes: childPid ? childBaselineDirty : null,
        child_ended_at_s: childEndedAt === undefined ? null : round(childEndedAt, 3),
        allocator_frag_ratio: infoNumber(memory, 'allocator_frag_ratio'),
        used_memory: infoNumber(memory, 'used_memory'),
        rdb_last_bgsave_status: typeof after.rdb_last_bgsave_status === 'string' ? after.rdb_last_bgsave_status : null,
        htstats,
      },
      summary: summarize(series, withTtl, childBaselineDirty),
      series,
    };
  } finally {
    const failures = await cleanup.runAll();
    unguard();
    for (const failure of failures) log(`cleanup failed: ${failure}`);
  }
}

/** Figures the fixture README quotes, derived from the series. */
function summarize(series: ExpireSample[], withTtl: number, baselineDirty: number) {
  const alive = series.filter((s) => s.child_alive);
  const lastAlive = alive.at(-1) ?? series.at(-1)!;
  const last = series.at(-1)!;
  const expired = (s: ExpireSample) => s.expired_keys ?? 0;
  const pages = (s: ExpireSample) => (s.child_private_dirty_bytes === null ? null : (s.child_private_dirty_bytes - baselineDirty) / PAGE_BYTES);
  // Keys still due but not deleted, when the due count passed half the keys with a TTL.
  const half = series.find((s) => s.due_keys >= withTtl / 2);
  const firstAllDue = series.find((s) => s.due_keys >= withTtl);
  const atTenth = (share: number) => series.find((s) => expired(s) >= share * withTtl);
  return {
    keys_with_ttl: withTtl,
    expired_with_child: expired(lastAlive),
    expires_left_with_child: lastAlive.expires,
    expired_at_end: expired(last),
    expires_left_at_end: last.expires,
    due_unexpired_at_half_due: half ? half.due_keys - expired(half) : null,
    due_unexpired_when_all_due: firstAllDue ? firstAllDue.due_keys - expired(firstAllDue) : null,
    t_expired_50pct_s: atTenth(0.5)?.t_s ?? null,
    t_expired_90pct_s: atTenth(0.9)?.t_s ?? null,
    expire_cycle_cpu_ms_with_child: lastAlive.expire_cycle_cpu_ms,
    time_cap_reached_with_child: lastAlive.expired_time_cap_reached_count,
    pages_copied_with_child: pages(lastAlive),
    parent_minflt_with_child: lastAlive.parent_minflt,
  };
}

/** One fixture sample per line, so a diff shows which moments changed. */
function formatCase(run: { name: string; spec: CaseSpec; summary: unknown; runs: Array<Awaited<ReturnType<typeof runExpireProbe>>> }): string {
  const lines = (xs: unknown[]) => xs.map((x) => '        ' + JSON.stringify(x)).join(',\n');
  const runs = run.runs.map(({ series, ...rest }) => {
    const head = JSON.stringify(rest, null, 2).replace(/^/gm, '    ').slice(0, -6);
    return `${head},\n      "series": [\n${lines(series)}\n      ]\n    }`;
  });
  const { runs: _, ...top } = run;
  return `${JSON.stringify(top, null, 2).slice(0, -2)},\n  "runs": [\n${runs.join(',\n')}\n  ]\n}\n`;
}

async function measureCase(name: string, spec: CaseSpec, log: (line: string) => void) {
  const runs = [];
  for (let repeat = 1; repeat <= spec.repeats; repeat++) runs.push(await runExpireProbe(name, spec, repeat, log));
  return { name, command: `npx tsx validation/expire-probe.ts ${name}`, spec, summary: runs.map((r) => r.summary), runs };
}

probeMain(import.meta.url, { tool: 'expire-probe', runs: CASES, fixtureDir: 'test/fixtures/expiry', measure: (name, spec, log) => measureCase(name, spec, log), format: formatCase });
