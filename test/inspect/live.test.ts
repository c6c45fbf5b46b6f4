// `forkcast inspect` against a real redis-server of the test's own: a known mix of keys, a known
// write load from another process, and what the inspection recovers of both.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInspect } from '../../src/cli/inspect-command.js';
import { CleanupStack } from '../../src/harness/cleanup.js';
import { isPortFree } from '../../src/harness/free-port.js';
import { RedisServer } from '../../src/harness/redis-server.js';
import { draftScenario } from '../../src/inspect/draft.js';
import { parseInfoText } from '../../src/inspect/info-text.js';
import { inspectLive } from '../../src/inspect/live.js';
import type { HistoryCheck, InspectReport } from '../../src/schemas/inspect.js';
import { ScenarioSchema } from '../../src/schemas/scenario.js';

function skipReason(): string | undefined {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'redis-server is not on PATH';
  }
  return undefined;
}
const reason = skipReason();

/** The mix: name prefix, count, how one key is made, and what the inspection must find. */
const MIX = {
  str: { keys: 12_000, type: 'string', encoding: 'raw', valueBytes: 100 },
  big: { keys: 6_000, type: 'string', encoding: 'raw', valueBytes: 1000 },
  hl: { keys: 6_000, type: 'hash', encoding: 'listpack', elements: 8, elementBytes: 2 + 20 },
  // 80-byte values pass hash-max-listpack-value (64): a hashtable at any field count.
  hh: { keys: 4_000, type: 'hash', encoding: 'hashtable', elements: 20, elementBytes: 2.5 + 80 },
  z: { keys: 4_000, type: 'zset', encoding: 'listpack', elements: 20, elementBytes: 9 },
  l: { keys: 4_000, type: 'list', encoding: 'quicklist', elements: 30, elementBytes: 12 },
} as const;
const TOTAL_KEYS = Object.values(MIX).reduce((s, m) => s + m.keys, 0);
/** str:0 … str:2999 carry a TTL of 1000–2000 s. */
const TTL_KEYS = 3000;
const SET_PER_SEC = 2000;
const HSET_PER_SEC = 500;
const SAMPLE = 20_000;
const OBSERVE_SEC = 3;

async function fill(redis: Redis): Promise<void> {
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  let pipeline = redis.pipeline();
  let queued = 0;
  const flush = async (force = false) => {
    if (queued < 2000 && !force) return;
    await pipeline.exec();
    pipeline = redis.pipeline();
    queued = 0;
  };
  for (let i = 0; i < MIX.str.keys; i++, queued++) {
    if (i < TTL_KEYS) pipeline.set(`str:${i}`, 'a'.repeat(100), 'EX', 1000 + Math.floor((1000 * i) / TTL_KEYS));
    else pipeline.set(`str:${i}`, 'a'.repeat(100));
    await flush();
  }
  for (let i = 0; i < MIX.big.keys; i++, queued++) {
    pipeline.set(`big:${i}`, 'b'.repeat(1000));
    await flush();
  }
  for (let i = 0; i < MIX.hl.keys; i++, queued++) {
    pipeline.hset(`hl:${i}`, Object.fromEntries(Array.from({ length: 8 }, (_, f) => [`f${f}`, 'c'.repeat(20)])));
    await flush();
  }
  for (let i = 0; i < MIX.hh.keys; i++, queued++) {
    pipeline.hset(`hh:${i}`, Object.fromEntries(Array.from({ length: 20 }, (_, f) => [`f${f}`, 'd'.repeat(80)])));
    await flush();
  }
  for (let i = 0; i < MIX.z.keys; i++, queued++) {
    pipeline.zadd(`z:${i}`, ...Array.from({ length: 20 }, (_, m) => [m, `member:${pad(m, 2)}`]).flat());
    await flush();
  }
  for (let i = 0; i < MIX.l.keys; i++, queued++) {
    pipeline.rpush(`l:${i}`, ...Array.from({ length: 30 }, (_, e) => `entry-${pad(e, 6)}`));
    await flush();
  }
  await flush(true);
}

async function waitForSave(redis: Redis): Promise<void> {
  for (;;) {
    const persistence = parseInfoText(await redis.info('persistence'));
    if (persistence.fields.rdb_bgsave_in_progress === '0') return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface LoadCounts {
  set: number;
  hset: number;
  acked: number;
  errors: number;
  startedMs: number;
  stoppedMs: number;
}

function startLoad(port: number): Promise<{ child: ChildProcess; stop: () => Promise<LoadCounts> }> {
  const script = resolve(import.meta.dirname, 'mixed-write-load.ts');
  const args = [String(port), String(SET_PER_SEC), String(MIX.str.keys), String(HSET_PER_SEC), String(MIX.hl.keys)];
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const next = () => new Promise<string>((resolveLine) => lines.once('line', resolveLine));
  return next().then(() => ({
    child,
    stop: async () => {
      const last = next();
      child.kill('SIGTERM');
      return JSON.parse(await last) as LoadCounts;
    },
  }));
}

async function freeTestPort(): Promise<number> {
  for (let port = 6470; port <= 6479; port++) if (await isPortFree(port)) return port;
  throw new Error('no free port in 6470–6479');
}

const within = (actual: number, expected: number, tolerance: number) =>
  expect(Math.abs(actual - expected) / expected, `${actual} vs ${expected} (±${tolerance * 100}%)`).toBeLessThanOrEqual(tolerance);

describe.skipIf(reason !== undefined)(`forkcast inspect on a live redis-server${reason ? ` (skipped: ${reason})` : ''}`, () => {
  const cleanup = new CleanupStack();
  let dir: string;
  let port: number;
  let report: InspectReport;
  let text: string;
  let check: HistoryCheck | null;
  let load: LoadCounts;
  let dirtyBefore: number;
  let dirtyAfter: number;
  let outFile: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fc-inspect-'));
    cleanup.add(`remove ${dir}`, async () => rmSync(dir, { recursive: true, force: true }), () => rmSync(dir, { recursive: true, force: true }));
    port = await freeTestPort();
    await RedisServer.start({ port, dir, disableThp: true }, cleanup);
    const redis = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1 });
    try {
      await fill(redis);
      await redis.bgsave();
      await waitForSave(redis);
      const writer = await startLoad(port);
      cleanup.add('stop the write load', async () => void writer.child.kill('SIGKILL'), () => void writer.child.kill('SIGKILL'));
      // Keys touched by the fill must be idle longer than the access window when sampled.
      await new Promise((r) => setTimeout(r, (OBSERVE_SEC + 1) * 1000));
      const acked = async () => Number(parseInfoText(await redis.info('persistence')).fields.rdb_changes_since_last_save);
      dirtyBefore = await acked();
      outFile = join(dir, 'scenario.json');
      const input = await inspectLive({ url: `redis://127.0.0.1:${port}`, sampleKeys: SAMPLE, observeSec: OBSERVE_SEC });
      report = draftScenario(input);
      dirtyAfter = await acked();
      load = await writer.stop();
      const full = await runInspect(`redis://127.0.0.1:${port}`, { sample: 2000, observe: 1, format: 'json', out: outFile, progress: () => undefined });
      check = (JSON.parse(full) as { historyCheck: HistoryCheck | null }).historyCheck;
      text = await runInspect(`redis://127.0.0.1:${port}`, { sample: 2000, observe: 0, format: 'text', progress: () => undefined });
    } finally {
      redis.disconnect();
    }
  }, 120_000);

  afterAll(async () => {
    await cleanup.runAll();
  });

  it('finds every segment by type and encoding, with key counts within 5%', () => {
    const found = report.segments.map((s) => `${s.type}/${s.encoding}`).sort();
    expect(found).toEqual(Object.values(MIX).map((m) => `${m.type}/${m.encoding}`).sort());
    const segments = ScenarioSchema.parse(report.scenario).dataset.segments!;
    expect(segments).toHaveLength(Object.keys(MIX).length);
    for (const [name, truth] of Object.entries(MIX)) {
      const segment = segments.find((s) =>
        s.type === truth.type && report.segments[segments.indexOf(s)]!.encoding === truth.encoding && ('valueBytes' in truth ? s.type === 'string' && Math.abs(s.valueBytes - truth.valueBytes) < truth.valueBytes / 2 : true),
      );
      expect(segment, name).toBeDefined();
      within(segment!.keys, truth.keys, 0.05);
    }
    expect(report.sample).toEqual({ keys: SAMPLE, instanceKeys: TOTAL_KEYS, complete: false });
  });

  it('recovers value, element and key sizes within 10%, and the TTLs', () => {
    const segments = ScenarioSchema.parse(report.scenario).dataset.segments!;
    for (const [name, truth] of Object.entries(MIX)) {
      const s = segments.find((x, i) => x.type === truth.type && report.segments[i]!.encoding === truth.encoding && (x.type !== 'string' || Math.abs(x.valueBytes - (truth as { valueBytes: number }).valueBytes) < 300))!;
      if (s.type === 'string') within(s.valueBytes, (truth as { valueBytes: number }).valueBytes, 0.1);
      else {
        within(s.elements, (truth as { elements: number }).elements, 0.1);
        within(s.elementBytes, (truth as { elementBytes: number }).elementBytes, 0.1);
      }
      // Key names: "str:1234", "hh:123", …
      expect(s.keyBytes, name).toBeGreaterThanOrEqual(name.length + 2);
      expect(s.keyBytes, name).toBeLessThanOrEqual(name.length + 6);
    }
    const strings = segments.find((s) => s.type === 'string' && s.valueBytes < 200)!;
    within(strings.ttl!.share, TTL_KEYS / MIX.str.keys, 0.1);
    expect(strings.ttl!.remainingSec.from).toBeGreaterThanOrEqual(900);
    expect(strings.ttl!.remainingSec.to).toBeLessThanOrEqual(2000);
    expect(segments.filter((s) => s.ttl !== undefined)).toHaveLength(1);
  });

  it('measures the write rate by command within 10%, and puts it on the segments written', () => {
    // The load kept its pace: what it had answered over its life matches the rates asked.
    const lifeSec = (load.stoppedMs - load.startedMs) / 1000;
    within(load.set / lifeSec, SET_PER_SEC, 0.02);
    expect(load.errors).toBe(0);
    within(report.writes.byCommand.set!, SET_PER_SEC, 0.1);
    within(report.writes.byCommand.hset!, HSET_PER_SEC, 0.1);
    within(report.writes.perSec, SET_PER_SEC + HSET_PER_SEC, 0.1);
    expect(Object.keys(report.writes.byCommand).sort()).toEqual(['hset', 'set']);
    const written = (type: string, encoding: string, small?: boolean) =>
      report.segments.find((s) => s.type === type && s.encoding === encoding && (small === undefined || s.name.includes('64–127') === small))!.writesPerSec;
    within(written('string', 'raw', true), SET_PER_SEC, 0.1);
    within(written('hash', 'listpack'), HSET_PER_SEC, 0.1);
    expect(written('string', 'raw', false)).toBeLessThan(0.01 * SET_PER_SEC);
    expect(written('hash', 'hashtable')).toBeLessThan(0.01 * HSET_PER_SEC);
    expect(written('zset', 'listpack')).toBe(0);
  });

  it('writes nothing: the only changes in the window are the load’s', () => {
    const loadWrites = report.writes.perSec * report.writes.windowSec;
    // rdb_changes_since_last_save counts every key change; inspect's window spans most of it.
    expect(dirtyAfter - dirtyBefore).toBeGreaterThanOrEqual(loadWrites * 0.9);
    expect(dirtyAfter - dirtyBefore).toBeLessThanOrEqual((SET_PER_SEC + HSET_PER_SEC) * (report.writes.windowSec + 3));
  });

  it('reads the configuration, fragmentation and the last save into the draft with provenance', () => {
    const p = report.scenario.provenance!;
    expect(report.scenario.redis!.config!['hash-max-listpack-entries']).toBe(512);
    expect(p['redis.config.hash-max-listpack-entries']).toEqual({ source: 'measured', from: 'CONFIG GET hash-max-listpack-entries' });
    expect(report.scenario.redis!.saveConfigured).toBe(false);
    expect(p['allocator.fragmentationRatio']!.source).toBe('measured');
    expect(p['workload.keyDistribution']!.source).toBe('assumed');
    expect(p['dataset.segments.0.keys']!.source).toBe('derived');
    expect(report.toSet.some((t) => t.startsWith('workload.keyDistribution'))).toBe(true);
    expect(report.lastSave!.status).toBe('ok');
    expect(report.lastSave!.latestForkUsec).toBeGreaterThan(0);
  });

  it('writes a scenario that parses, and checks the last save against the engine', () => {
    const written = JSON.parse(readFileSync(outFile, 'utf8'));
    expect(ScenarioSchema.safeParse(written).success).toBe(true);
    expect(check!.rows.map((r) => r.field)).toEqual(['rdb_last_cow_size', 'latest_fork_usec', 'rdb_last_bgsave_time_sec']);
    expect(check!.rows[1]!.reported).toBe(report.lastSave!.latestForkUsec);
    if (check!.forecastUnavailable) {
      expect(check!.forecastUnavailable).toMatch(/segments/);
      expect(check!.rows.every((r) => r.forecast === null)).toBe(true);
    } else {
      expect(check!.rows.every((r) => r.forecast !== null && r.forecast > 0)).toBe(true);
    }
    expect(text).toMatch(/Last save: forecast vs reported/);
    expect(text).toMatch(/rdb_last_cow_size/);
  });
});

describe.skipIf(reason !== undefined)(`forkcast inspect where CONFIG is renamed away${reason ? ` (skipped: ${reason})` : ''}`, () => {
  it('drafts with Redis’s defaults for what CONFIG would have shown, and says CONFIG was refused', async () => {
    const port = await freeTestPort();
    const dir = mkdtempSync(join(tmpdir(), 'fc-inspect-'));
    // As managed services do: CONFIG renamed to nothing.
    const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--rename-command', 'CONFIG', ''], { stdio: 'ignore' });
    const redis = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1, retryStrategy: (n) => (n < 50 ? 100 : null) });
    redis.on('error', () => undefined);
    try {
      await redis.mset(Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k:${i}`, 'x'.repeat(50)])));
      const report = draftScenario(await inspectLive({ url: `redis://127.0.0.1:${port}`, sampleKeys: 1000, observeSec: 1 }));
      const p = report.scenario.provenance!;
      expect(p['redis.config.hash-max-listpack-entries']).toMatchObject({ source: 'assumed' });
      expect(p['redis.config.hash-max-listpack-entries']!.note).toMatch(/^CONFIG GET refused \(ERR unknown command .CONFIG./);
      expect(report.scenario.redis!.config!['hash-max-listpack-entries']).toBe(512);
      // INFO still shows what it shows.
      expect(p['redis.hz']).toMatchObject({ source: 'measured', from: 'INFO configured_hz' });
      expect(report.sample).toEqual({ keys: 500, instanceKeys: 500, complete: true });
      expect(p['dataset.segments.0.keys']).toEqual({ source: 'measured', from: 'SCAN of every key' });
      expect(report.segments).toMatchObject([{ type: 'string', encoding: 'raw', keys: 500, keysStdErr: 0 }]);
    } finally {
      redis.disconnect();
      server.kill('SIGKILL');
      await new Promise((r) => server.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
