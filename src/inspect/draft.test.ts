import { describe, expect, it } from 'vitest';
import { DEFAULT_KEY_BYTES } from '../engine/defaults.js';
import { keysForUsedMemory, REDIS_STARTUP_USED_MEMORY_BYTES } from '../engine/layout.js';
import { ScenarioSchema } from '../schemas/scenario.js';
import { draftScenario, type InspectInput } from './draft.js';
import { InspectError } from './errors.js';
import { historyCheck } from './history-check.js';
import { parseInfoText } from './info-text.js';
import type { SampledKey } from './sampled-key.js';

const MiB = 2 ** 20;

function infoText(fields: Record<string, string | number>, commandstats: Record<string, number>, keys: number): string {
  return [
    '# Server',
    ...Object.entries(fields).map(([k, v]) => `${k}:${v}`),
    '# Commandstats',
    ...Object.entries(commandstats).map(([name, calls]) => `cmdstat_${name}:calls=${calls},usec=${calls * 3},usec_per_call=3.00,rejected_calls=0,failed_calls=0`),
    '# Keyspace',
    `db0:keys=${keys},expires=0,avg_ttl=0`,
  ].join('\r\n');
}

const BASE = {
  redis_version: '7.0.15',
  uptime_in_seconds: 1000,
  configured_hz: 10,
  used_memory: 400 * MiB,
  used_memory_startup: 876_448,
  used_memory_rss: 480 * MiB,
  mem_fragmentation_ratio: 1.2,
  total_system_memory: 8 * 2 ** 30,
  rdb_last_bgsave_time_sec: 12,
  rdb_last_bgsave_status: 'ok',
  rdb_last_cow_size: 20 * MiB,
  latest_fork_usec: 9000,
};

const sampled = (n: number, k: Partial<SampledKey>): SampledKey[] =>
  Array.from({ length: n }, () => ({ db: 0, keyBytes: 12, type: 'string', encoding: 'raw', memoryBytes: 180, ttlMs: undefined, idleSec: 500, length: 100, elementBytes: [], weight: 100, ...k }));

/** Every leaf of the scenario has a provenance entry for it or for an object above it. */
function unaccounted(scenario: Record<string, unknown>, provenance: Record<string, unknown>): string[] {
  const missing: string[] = [];
  const walk = (value: unknown, path: string) => {
    if (provenance[path] !== undefined) return;
    if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k);
    else missing.push(path);
  };
  const { provenance: _p, ...rest } = scenario;
  walk(rest, '');
  return missing;
}

describe('draftScenario from a live reading', () => {
  const before = parseInfoText(infoText(BASE, { set: 10_000, hset: 1000, get: 99_999 }, 100_000));
  const after = parseInfoText(infoText(BASE, { set: 30_000, hset: 6000, expire: 1000, get: 999_999 }, 100_000));
  const input: InspectInput = {
    source: 'live',
    label: 'cache:6379',
    info: after,
    earlier: { info: before, elapsedSec: 10 },
    config: { values: { save: '3600 1 300 100 60 10000', 'hash-max-listpack-entries': '128', 'client-output-buffer-limit': 'normal 0 0 0 slave 1000000 500000 30 pubsub 0 0 0', 'repl-diskless-sync': 'yes' } },
    sample: {
      keys: [
        // 100 B strings, recently written; 1000 B strings, idle; hashes written.
        ...sampled(600, { idleSec: 1 }),
        ...sampled(300, { length: 1000, memoryBytes: 1100 }),
        ...sampled(100, { type: 'hash', encoding: 'listpack', length: 10, elementBytes: [20, 20, 20], memoryBytes: 300, idleSec: 2 }),
      ],
      dbKeys: { 0: { keys: 100_000, sampled: 1000 } },
      accessWindowSec: 10,
    },
  };
  const report = draftScenario(input);
  const scenario = ScenarioSchema.parse(report.scenario);

  it('drafts a scenario that parses, one segment per type, encoding and band', () => {
    expect(scenario.dataset.segments!.map((s) => [s.type, s.keys])).toEqual([
      ['string', 60_000],
      ['string', 30_000],
      ['hash', 10_000],
    ]);
    expect(scenario.name).toBe('cache:6379: redis 7.0.15 (inspected)');
    expect(report.sample).toEqual({ keys: 1000, instanceKeys: 100_000, complete: false });
  });

  it('takes the write rate by command, and splits each type’s over its segments by recent access', () => {
    // (20,000 SET + 5000 HSET + 1000 EXPIRE) / 10 s; GET is no write.
    expect(report.writes.perSec).toBe(2600);
    expect(report.writes.byCommand).toEqual({ set: 2000, hset: 500, expire: 100 });
    expect(scenario.workload.writesPerSec).toBe(2600);
    const [recent, idle, hash] = report.segments;
    // The idle strings take what the smoothing gives them (0.5 of 301), EXPIRE by key count.
    expect(idle!.writesPerSec).toBeLessThan(0.01 * 2000 + 100 * 0.3 + 1);
    expect(recent!.writesPerSec).toBeGreaterThan(0.99 * 2000 + 100 * 0.6 - 1);
    expect(hash!.writesPerSec).toBeCloseTo(500 + 100 * 0.1, 6);
    const shares = scenario.dataset.segments!.reduce((s, x) => s + (x.writeShare ?? 0), 0);
    expect(shares).toBeLessThanOrEqual(1);
    expect(shares).toBeGreaterThan(0.9999);
    expect(scenario.dataset.segments!.map((s) => s.writeOp)).toEqual(['SET', 'SET', 'HSET']);
  });

  it('reads what CONFIG GET answered and defaults the rest, saying which is which', () => {
    const p = report.scenario.provenance!;
    expect(scenario.redis.config['hash-max-listpack-entries']).toBe(128);
    expect(p['redis.config.hash-max-listpack-entries']!.source).toBe('measured');
    expect(scenario.redis.config['zset-max-listpack-entries']).toBe(128);
    expect(p['redis.config.zset-max-listpack-entries']!.source).toBe('assumed');
    expect(scenario.replication.outputBufferLimit).toEqual({ hardBytes: 1_000_000, softBytes: 500_000, softSec: 30 });
    expect(scenario.replication.diskless).toBe(true);
    expect(scenario.redis.saveConfigured).toBe(true);
    // 2600 changes/s: the 60 s rule has its 10,000 changes in 4 s.
    expect(scenario.snapshot.secondsSincePreviousFork).toBe(60);
    expect(scenario.snapshot.durationSec).toBe(12);
    expect(scenario.allocator.fragmentationRatio).toBe(1.2);
    expect(scenario.host.memoryBytes).toBe(8 * 2 ** 30);
    expect(p['workload.keyDistribution']).toMatchObject({ source: 'assumed' });
    expect(p['workload.keyDistribution']!.note).toMatch(/cannot be seen/);
    expect(unaccounted(report.scenario as Record<string, unknown>, p)).toEqual([]);
  });

  it('reports the last save, with this host’s fork cost per GiB of RSS', () => {
    expect(report.lastSave).toEqual({
      rdbLastCowSizeBytes: 20 * MiB,
      latestForkUsec: 9000,
      rdbLastBgsaveTimeSec: 12,
      status: 'ok',
      forkUsecPerGiBOfRss: Math.round(((9000 - 240) * 2 ** 30) / (480 * MiB)),
    });
  });

  it('takes Redis’s defaults when CONFIG is refused, and says so', () => {
    const refused = draftScenario({ ...input, config: { refused: 'ERR unknown command CONFIG' } });
    const p = refused.scenario.provenance!;
    expect(refused.scenario.redis!.config!['hash-max-listpack-entries']).toBe(512);
    expect(p['redis.config.hash-max-listpack-entries']!.note).toMatch(/CONFIG GET refused \(ERR unknown command CONFIG\)/);
    expect(p['redis.saveConfigured']!.source).toBe('assumed');
    expect(refused.toSet.some((t) => t.includes('CONFIG GET refused'))).toBe(true);
  });
});

describe('draftScenario from INFO text alone', () => {
  const info = parseInfoText(infoText(BASE, { set: 500_000, del: 10_000 }, 2_000_000));
  const report = draftScenario({ source: 'info', info });
  const scenario = ScenarioSchema.parse(report.scenario);

  it('holds every key as a string of the size used_memory implies through the engine’s layout', () => {
    const bytes = BASE.used_memory - BASE.used_memory_startup + REDIS_STARTUP_USED_MEMORY_BYTES;
    const v = scenario.dataset.valueBytes!;
    expect(scenario.dataset.keys).toBe(2_000_000);
    expect(keysForUsedMemory(bytes, DEFAULT_KEY_BYTES, v)).toBeGreaterThanOrEqual(2_000_000);
    expect(keysForUsedMemory(bytes, DEFAULT_KEY_BYTES, v + 1)).toBeLessThan(2_000_000);
    expect(report.scenario.provenance!['dataset.valueBytes']!.source).toBe('derived');
  });

  it('takes lifetime averages from one reading', () => {
    expect(report.writes).toMatchObject({ lifetimeAverage: true, windowSec: 1000, perSec: 510 });
    expect(scenario.workload.deleteFraction).toBeCloseTo(10 / 510, 4);
    expect(report.scenario.provenance!['workload.writesPerSec']!.source).toBe('derived');
  });

  it('forecasts the last save beside the reported figures', () => {
    const check = historyCheck(report.scenario, report.lastSave!);
    expect(check.forecastUnavailable).toBeUndefined();
    expect(check.rows.map((r) => r.reported)).toEqual([20 * MiB, 9000, 12]);
    for (const row of check.rows) expect(row.forecast).toBeGreaterThan(0);
  });

  it('refuses text that is not INFO, and an instance without keys', () => {
    const fail = (text: string) => {
      try {
        draftScenario({ source: 'info', info: parseInfoText(text) });
      } catch (err) {
        return (err as InspectError).code;
      }
      return 'passed';
    };
    expect(fail('hello')).toBe('INFO_UNRECOGNISED');
    expect(fail('# Server\r\nredis_version:7.0.15\r\n')).toBe('NO_KEYS');
    expect(fail('# Server\r\nredis_version:7.0.15\r\n# Keyspace\r\n')).toBe('NO_KEYS');
  });
});

describe('historyCheck', () => {
  it('says why there is no forecast when the engine cannot simulate the draft', () => {
    const check = historyCheck(
      // Past the engine's 4 TiB of used memory: refused whatever it models.
      { dataset: { keys: 1e10, valueBytes: '1MiB' } },
      { rdbLastCowSizeBytes: 1, latestForkUsec: 2, rdbLastBgsaveTimeSec: 3, status: 'err', forkUsecPerGiBOfRss: null },
    );
    expect(check.rows.map((r) => [r.reported, r.forecast])).toEqual([
      [1, null],
      [2, null],
      [3, null],
    ]);
    expect(check.forecastUnavailable).toMatch(/^dataset: used memory .* exceeds the limit .*\(SCENARIO_TOO_LARGE\)$/);
    expect(check.notes.some((n) => n.includes('status err'))).toBe(true);
  });
});
