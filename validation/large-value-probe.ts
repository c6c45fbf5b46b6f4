// Copy-on-write of string values above jemalloc's thread cache (tcache_max 32 KiB, jemalloc 5.3
// src/tcache.c; validation/JEMALLOC.md), with and without Redis 7.0's dismiss. Per value size V:
// a fresh redis-server, DEBUG POPULATE N keys (~256 MiB), MEMORY PURGE, then two measurements.
//
// held: rdb-key-save-delay 1000000 (the child saves one key a second, so it holds every page
//   shared and dismisses nothing); W = 2% of N random same-size SET overwrites, then more up to
//   50% of N; child Private_Dirty (smaps_rollup) before and 0.3 s after each batch.
// save: a fresh server again; rdb-key-save-delay set so the save lasts ~5 s, a paced load of
//   random SET overwrites (2% or 50% of N over the planned span), the child's Private_Dirty
//   sampled every 25 ms until it exits. The last sample is what the child keeps at the end.
//
// Dismiss (src/object.c dismissObject, called from rdb.c rdbSaveRio after each key) is skipped
// when server.thp_enabled, which Redis 7.0.15 sets only when /sys/kernel/mm/transparent_hugepage/
// enabled reads "[always]" and prctl(PR_SET_THP_DISABLE) was not made (disable-thp no; src/
// server.c linuxMemoryWarnings, src/syscheck.c checkTHPEnabled). On a host with THP `madvise`
// or `never` `--disable-thp no` alone leaves dismiss on, so the `nodismiss` mode starts the
// server in a private mount namespace where that one file reads "[always]"; the host's THP
// switch is not touched, and the process still gets no huge pages (jemalloc 5.3 opt.thp
// "default" makes no madvise(MADV_HUGEPAGE), checked by AnonHugePages in the record).
//
//   npx tsx validation/large-value-probe.ts --port 6450 [--sizes 16,64] [--modes dismiss,nodismiss]
//       [--reps 1] [--max-inflight N] [--out test/fixtures/large-values.json]
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { PAGE_BYTES } from '../src/engine/jemalloc.js';
import { round } from '../src/engine/numbers.js';
import { Rng } from '../src/engine/rng.js';
import { CleanupStack, guardProcess } from '../src/harness/cleanup.js';
import { connectLoopback } from '../src/harness/connect.js';
import { hostFacts } from '../src/harness/environment.js';
import { fillDataset } from '../src/harness/fill.js';
import { abortForkChild, findForkChild } from '../src/harness/fork-child.js';
import { defaultMaxInflight } from '../src/harness/pacing.js';
import { readSmapsRollup } from '../src/harness/proc.js';
import { infoNumber, parseInfo } from '../src/harness/redis-info.js';
import { RedisServer } from '../src/harness/redis-server.js';
import { RespPipe } from '../src/harness/resp-pipe.js';
import { chooseDelay, DEFAULT_DELAY_COST, targetUsecPerKey } from '../src/harness/save-delay.js';
import { readThp } from '../src/harness/thp.js';

const KIB = 1024;
const DATASET_BYTES = 256 * 2 ** 20;
const DEFAULT_SIZES_KIB = [16, 24, 32, 40, 48, 64, 128, 512, 1024];
/** The child saves one key a second: no key is saved (nor dismissed) while the held batches run. */
const HELD_SAVE_DELAY_US = 1_000_000;
/** Faults are counted once the pipe is answered; 0.3 s lets smaps_rollup settle (layout-probe.sh). */
const SETTLE_MS = 300;
const WRITE_SHARES = [0.02, 0.5];
const SAVE_TARGET_SEC = 5;
const SAMPLE_MS = 25;
const PACE_TICK_MS = 5;

export type Mode = 'dismiss' | 'nodismiss';

interface Memory {
  usedMemoryBytes: number | null;
  usedMemoryRssBytes: number | null;
  allocatorAllocatedBytes: number | null;
  allocatorResidentBytes: number | null;
  memFragmentationRatio: number | null;
}

interface HeldBatch {
  writes: number;
  distinctKeys: number;
  copiedPages: number;
  pagesPerWrite: number;
  pagesPerDistinctKey: number;
}

/** One sample of the save: [t_s, writes, distinctKeys, childPrivateDirtyPages]. */
export type SaveSample = [number, number, number, number];
export const SAMPLE_FIELDS = ['t_s', 'writes', 'distinctKeys', 'childPrivateDirtyPages'] as const;

interface SaveRun {
  writeShare: number;
  saveDelayUs: number;
  writesPerSec: number;
  saveSeconds: number;
  writes: number;
  distinctKeys: number;
  /** Distinct keys written before the last sample (the end of the save). */
  distinctKeysAtEnd: number;
  peakChildPrivateDirtyPages: number;
  endChildPrivateDirtyPages: number;
  keptPagesPerDistinctKey: number;
  peakPagesPerDistinctKey: number;
  rdbLastCowSizeBytes: number | null;
  samples: SaveSample[];
}

export interface LargeValueCase {
  /** Keys populated before the random deletion down to `keys` (fill factor × keys; = keys without). */
  keysPopulated?: number;
  fillFactor?: number;
  valueKib: number;
  valueBytes: number;
  mode: Mode;
  repeat: number;
  /** Writes unanswered at most: the freed extents waiting to be reused. */
  maxInflight: number;
  /** serverCron frequency the server ran at, when not the default 10. */
  hz?: number;
  /** How the fill's extra keys went: absent, DEL; `expire`, a 1 ms TTL and active expiry. */
  history?: 'expire';
  keys: number;
  thpEnabledInRedis: boolean;
  parentAnonHugePagesBytes: number;
  memoryUsageBytes: number;
  memory: Memory;
  held: HeldBatch[];
  save: SaveRun[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

function memoryOf(text: string): Memory {
  const info = parseInfo(text);
  return {
    usedMemoryBytes: infoNumber(info, 'used_memory'),
    usedMemoryRssBytes: infoNumber(info, 'used_memory_rss'),
    allocatorAllocatedBytes: infoNumber(info, 'allocator_allocated'),
    allocatorResidentBytes: infoNumber(info, 'allocator_resident'),
    memFragmentationRatio: infoNumber(info, 'mem_fragmentation_ratio'),
  };
}

function childPrivateDirtyPages(child: number): number | undefined {
  const smaps = readSmapsRollup(child);
  return smaps ? (smaps.Private_Dirty ?? 0) / PAGE_BYTES : undefined;
}

/** SET key:<k> <V bytes>, the value buffer shared by every command. */
function setCommand(value: Buffer): (key: number) => Buffer {
  const tail = Buffer.concat([value, Buffer.from('\r\n')]);
  return (key) => {
    const name = `key:${key}`;
    return Buffer.concat([Buffer.from(`*3\r\n$3\r\nSET\r\n$${name.length}\r\n${name}\r\n$${value.length}\r\n`), tail]);
  };
}

/** A redis-server wrapper that sees THP "[always]" in its own mount namespace (see the header). */
function noDismissExecutable(dir: string): string {
  const fake = join(dir, 'thp-enabled');
  writeFileSync(fake, '[always] madvise never\n');
  const script = join(dir, 'redis-server-thp-always');
  writeFileSync(
    script,
    `#!/bin/sh\nexec unshare -m sh -c 'mount --bind "$0" /sys/kernel/mm/transparent_hugepage/enabled && exec redis-server "$@"' ${fake} "$@"\n`,
  );
  chmodSync(script, 0o755);
  return script;
}

async function ownServer(port: number, mode: Mode, dir: string, cleanup: CleanupStack, hz?: number) {
  const server = await RedisServer.start(
    { port, dir, disableThp: mode === 'dismiss', executable: mode === 'nodismiss' ? noDismissExecutable(dir) : 'redis-server' },
    cleanup,
  );
  const redis = connectLoopback(port);
  await redis.connect();
  cleanup.add('close the control connection', async () => redis.disconnect(), () => redis.disconnect());
  if (hz !== undefined) await redis.config('SET', 'hz', String(hz));
  const pipe = await RespPipe.connect(port);
  cleanup.add('close the pipe', async () => pipe.close(), () => pipe.close());
  // The warning is logged only when thp_enabled stays 1 (src/server.c linuxMemoryWarnings).
  const thpEnabledInRedis = /Transparent Huge Pages \(THP\) support enabled/.test(readFileSync(server.logFile, 'utf8'));
  if (thpEnabledInRedis !== (mode === 'nodismiss')) throw new Error(`mode ${mode} but redis thp_enabled=${thpEnabledInRedis}`);
  return { server, redis, pipe, thpEnabledInRedis };
}

/** Key numbers left after the fill, by position (undefined: 0..keys-1). */
type Fill = (redis: Redis) => Promise<{ keysPopulated: number; survivors: Uint32Array | undefined }>;

export function populateFill(keys: number, valueBytes: number, fillFactor = 1, seed = 1, history: 'delete' | 'expire' = 'delete'): Fill {
  return async (redis) => {
    const fill = await fillDataset(redis, { keys, valueBytes, fragmentation: { induce: fillFactor > 1, fill_factor: fillFactor, history }, seed, bytesPerKeyEstimate: 0 });
    // Freed dirty pages go back now, so their purge during the save does not show as copies.
    await redis.call('MEMORY', 'PURGE');
    return { keysPopulated: fill.keySpace, survivors: fill.survivors };
  };
}

async function waitSaveDone(redis: Redis): Promise<void> {
  while ((infoNumber(parseInfo(await redis.info('persistence')), 'rdb_bgsave_in_progress') ?? 0) === 1) await sleep(20);
}

export async function measureCase(
  valueBytes: number,
  mode: Mode,
  repeat: number,
  port: number,
  log: (l: string) => void,
  {
    keys = Math.round(DATASET_BYTES / valueBytes),
    fillFactor = 1,
    maxInflight = defaultMaxInflight(valueBytes),
    hz,
    history,
  }: { keys?: number; fillFactor?: number; maxInflight?: number; hz?: number; history?: 'delete' | 'expire' } = {},
): Promise<LargeValueCase> {
  const valueKib = round(valueBytes / KIB, 3);
  const fill = populateFill(keys, valueBytes, fillFactor, 1, history);
  const value = Buffer.alloc(valueBytes, 'x');
  const command = setCommand(value);
  const base = { valueKib, valueBytes, mode, repeat, maxInflight, ...(hz !== undefined ? { hz } : {}), ...(history === 'expire' ? { history } : {}) };

  // held
  let heldRecord: Omit<LargeValueCase, 'save'>;
  {
    const cleanup = new CleanupStack();
    const unguard = guardProcess(cleanup);
    try {
      const dir = mkdtempSync(join(tmpdir(), 'forkcast-large-'));
      cleanup.add(`remove ${dir}`, async () => rmSync(dir, { recursive: true, force: true }), () => rmSync(dir, { recursive: true, force: true }));
      const { server, redis, pipe, thpEnabledInRedis } = await ownServer(port, mode, dir, cleanup, hz);
      const { keysPopulated, survivors } = await fill(redis);
      if ((survivors?.length ?? keys) !== keys && fillFactor === 1) throw new Error('fill left the wrong key count');
      const keyAt = (position: number) => (survivors ? survivors[position]! : position);
      const live = survivors?.length ?? keys;
      const memory = memoryOf(await redis.info('memory'));
      const memoryUsageBytes = Number(await redis.call('MEMORY', 'USAGE', `key:${keyAt(0)}`, 'SAMPLES', '0'));
      const parentAnonHugePagesBytes = readSmapsRollup(server.pid)?.AnonHugePages ?? 0;
      const rng = new Rng(Math.round(1000 * valueKib) + repeat);
      await redis.config('SET', 'rdb-key-save-delay', String(HELD_SAVE_DELAY_US));
      await redis.bgsave();
      const child = await findForkChild(server);
      await sleep(SETTLE_MS);
      const before = childPrivateDirtyPages(child)!;
      const seen = new Uint8Array(live);
      let writes = 0;
      let distinct = 0;
      const held: HeldBatch[] = [];
      for (const share of WRITE_SHARES) {
        const target = Math.max(1, Math.round(live * share));
        const batch = target - writes;
        const plan = Array.from({ length: batch }, () => rng.below(live));
        for (const k of plan) if (!seen[k]) (seen[k] = 1), distinct++;
        const result = await pipe.run(batch, (i) => command(keyAt(plan[i]!)), maxInflight);
        if (result.errors > 0) throw new Error(`SET: ${result.errors} errors, first: ${result.firstError}`);
        writes = target;
        await sleep(SETTLE_MS);
        const now = childPrivateDirtyPages(child);
        if (now === undefined) throw new Error(`BGSAVE child ${child} ended during the held batches`);
        const copiedPages = now - before;
        held.push({ writes, distinctKeys: distinct, copiedPages, pagesPerWrite: round(copiedPages / writes, 3), pagesPerDistinctKey: round(copiedPages / distinct, 3) });
        log(`${valueKib} KiB ${mode} held: ${writes} writes, ${distinct} keys, ${copiedPages} pages`);
      }
      abortForkChild(server, child);
      await waitSaveDone(redis);
      heldRecord = { ...base, keys: live, ...(fillFactor > 1 ? { keysPopulated, fillFactor } : {}), thpEnabledInRedis, parentAnonHugePagesBytes, memoryUsageBytes, memory, held };
    } finally {
      await cleanup.runAll();
      unguard();
    }
  }

  // save, one fresh server per write share
  const save: SaveRun[] = [];
  for (const share of WRITE_SHARES) {
    const cleanup = new CleanupStack();
    const unguard = guardProcess(cleanup);
    try {
      const dir = mkdtempSync(join(tmpdir(), 'forkcast-large-'));
      cleanup.add(`remove ${dir}`, async () => rmSync(dir, { recursive: true, force: true }), () => rmSync(dir, { recursive: true, force: true }));
      const { server, redis, pipe } = await ownServer(port, mode, dir, cleanup, hz);
      const { survivors } = await fill(redis);
      const keyAt = (position: number) => (survivors ? survivors[position]! : position);
      const live = survivors?.length ?? keys;
      const rng = new Rng(Math.round(2000 * valueKib) + repeat + Math.round(share * 100));
      const saveDelayUs = chooseDelay(targetUsecPerKey(live, SAVE_TARGET_SEC), DEFAULT_DELAY_COST);
      await redis.config('SET', 'rdb-key-save-delay', String(saveDelayUs));
      const writesPerSec = (live * share) / SAVE_TARGET_SEC;
      await redis.bgsave();
      const started = performance.now();
      const child = await findForkChild(server);
      const seen = new Uint8Array(live);
      let writes = 0;
      let distinct = 0;
      const samples: SaveSample[] = [];
      let nextSample = 0;
      for (;;) {
        const elapsed = (performance.now() - started) / 1000;
        if (elapsed * 1000 >= nextSample) {
          const pages = childPrivateDirtyPages(child);
          if (pages === undefined) break;
          samples.push([round(elapsed, 3), writes, distinct, pages]);
          nextSample += SAMPLE_MS;
        }
        const due = Math.floor(writesPerSec * elapsed) - writes;
        if (due > 0) {
          const plan = Array.from({ length: due }, () => rng.below(live));
          for (const k of plan) if (!seen[k]) (seen[k] = 1), distinct++;
          const result = await pipe.run(due, (i) => command(keyAt(plan[i]!)), maxInflight);
          if (result.errors > 0) throw new Error(`SET: ${result.errors} errors, first: ${result.firstError}`);
          writes += due;
        } else await sleep(PACE_TICK_MS);
        if (elapsed > 20 * SAVE_TARGET_SEC) throw new Error('the save did not end');
      }
      await waitSaveDone(redis);
      const persistence = parseInfo(await redis.info('persistence'));
      const last = samples.at(-1)!;
      const [lastT, , lastDistinct, lastPages] = last;
      const peak = Math.max(...samples.map((s) => s[3]));
      const saveSeconds = infoNumber(persistence, 'rdb_last_bgsave_time_sec');
      save.push({
        writeShare: share,
        saveDelayUs,
        writesPerSec: round(writesPerSec, 2),
        saveSeconds: saveSeconds ?? round(lastT, 3),
        writes,
        distinctKeys: distinct,
        distinctKeysAtEnd: lastDistinct,
        peakChildPrivateDirtyPages: peak,
        endChildPrivateDirtyPages: lastPages,
        keptPagesPerDistinctKey: round(lastPages / Math.max(1, lastDistinct), 3),
        peakPagesPerDistinctKey: round(peak / Math.max(1, lastDistinct), 3),
        rdbLastCowSizeBytes: infoNumber(persistence, 'rdb_last_cow_size'),
        samples,
      });
      log(`${valueKib} KiB ${mode} save ${share}: ${lastDistinct} keys, end ${lastPages} peak ${peak} pages`);
    } finally {
      await cleanup.runAll();
      unguard();
    }
  }
  return { ...heldRecord, save };
}

/** Indented JSON with each array of numbers on one line (the samples stay readable and small). */
export function formatFixture(fixture: unknown): string {
  return `${JSON.stringify(fixture, null, 1).replace(/\[[\d\s.,eE+-]*\]/g, (array) => array.replace(/\s+/g, ''))}\n`;
}

/** The value after `--name` on the command line. */
export function flag(argv: string[], name: string): string | undefined {
  const at = argv.indexOf(name);
  return at >= 0 ? argv[at + 1] : undefined;
}

async function main(argv: string[]): Promise<void> {
  const port = Number(flag(argv, '--port') ?? 6450);
  if (!(port >= 6400 && port <= 6499)) throw new Error('--port must be in 6400–6499');
  const sizes = (flag(argv, '--sizes') ?? DEFAULT_SIZES_KIB.join(',')).split(',').map(Number);
  const modes = (flag(argv, '--modes') ?? 'dismiss,nodismiss').split(',') as Mode[];
  const reps = Number(flag(argv, '--reps') ?? 1);
  const inflight = flag(argv, '--max-inflight');
  const hz = flag(argv, '--hz');
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const out = resolve(flag(argv, '--out') ?? join(root, 'test/fixtures/large-values.json'));
  const log = (line: string) => process.stderr.write(`large-value-probe: ${line}\n`);
  const previous = existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as { cases: LargeValueCase[] }).cases : [];
  const cases: LargeValueCase[] = previous.filter((c) => !(sizes.includes(c.valueKib) && modes.includes(c.mode)));
  const host = { ...hostFacts(), loadavgAtStart: loadavg().map((l) => round(l, 2)) };
  for (const valueKib of sizes) for (const mode of modes) for (let r = 0; r < reps; r++) cases.push(await measureCase(valueKib * KIB, mode, r, port, log, { ...(inflight ? { maxInflight: Number(inflight) } : {}), ...(hz ? { hz: Number(hz) } : {}) }));
  cases.sort((a, b) => a.valueKib - b.valueKib || a.mode.localeCompare(b.mode) || a.repeat - b.repeat);
  const fixture = {
    description:
      'Copy-on-write of random same-size SET overwrites of DEBUG POPULATEd string values of 16 KiB to 1 MiB (~256 MiB), with Redis 7.0 dismiss on and off. held: child saves nothing yet; save: the child saves to the end (~5 s) under a paced load. See large-values.README.md.',
    host,
    thp: readThp(),
    sampleFields: SAMPLE_FIELDS,
    datasetBytes: DATASET_BYTES,
    cases,
  };
  writeFileSync(out, formatFixture(fixture));
  log(`wrote ${out}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main(process.argv.slice(2)).catch((err: Error) => {
    process.stderr.write(`large-value-probe: ${err.stack ?? err.message}\n`);
    process.exitCode = 1;
  });
}
