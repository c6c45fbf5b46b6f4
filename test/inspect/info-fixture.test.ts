// The INFO parser and the draft held to a real INFO of a known instance (test/fixtures/inspect/).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { draftScenario } from '../../src/inspect/draft.js';
import { historyCheck } from '../../src/inspect/history-check.js';
import { infoNumber, parseInfoText, totalKeys } from '../../src/inspect/info-text.js';
import { writeRates } from '../../src/inspect/write-commands.js';
import { ScenarioSchema } from '../../src/schemas/scenario.js';

const read = (name: string) => readFileSync(new URL(`../fixtures/inspect/${name}`, import.meta.url), 'utf8');
const before = parseInfoText(read('info-before.txt'));
const after = parseInfoText(read('info-after.txt'));
const elapsedSec = (Number(after.fields.server_time_usec) - Number(before.fields.server_time_usec)) / 1e6;

describe('INFO of a known instance', () => {
  it('parses every section of INFO all', () => {
    expect(after.sections).toEqual(['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'modules', 'commandstats', 'errorstats', 'latencystats', 'cluster', 'keyspace']);
    // 20,000 + 1,000 hashes + zset + list − 100 DEL; TTLs: 2,000 less the 334 SET cleared (str:0, str:6, … str:1998).
    expect(after.keyspace[0]).toMatchObject({ keys: 20_902, expires: 1666 });
    expect(totalKeys(before)).toBe(21_002);
    expect(infoNumber(after, 'rdb_last_cow_size')).toBe(770_048);
    expect(infoNumber(after, 'latest_fork_usec')).toBe(721);
    expect(after.commandStats.hset!.calls).toBe(2000);
  });

  it('finds the batch between the readings, command by command, and no GET among the writes', () => {
    const r = writeRates(before.commandStats, after.commandStats, elapsedSec);
    const calls = Object.fromEntries(Object.entries(r.byCommand).map(([name, perSec]) => [name, Math.round(perSec * elapsedSec)]));
    expect(calls).toEqual({ set: 3000, hset: 1000, zincrby: 500, lpush: 200, rpop: 200, del: 100 });
    expect(r.modelledPerSec * elapsedSec).toBeCloseTo(5000, 6);
    expect(r.deletesPerSec * elapsedSec).toBeCloseTo(100, 6);
  });

  it('drafts a scenario from the text alone, and checks it against the save the text reports', () => {
    const report = draftScenario({ source: 'info', label: 'info-after.txt', info: after });
    const scenario = ScenarioSchema.parse(report.scenario);
    expect(scenario.dataset.keys).toBe(20_902);
    expect(scenario.allocator.fragmentationRatio).toBe(3.17);
    expect(scenario.redis.version).toBe('7.0');
    // rdb_last_bgsave_time_sec 1: whole seconds, too coarse to take as the duration.
    expect(scenario.snapshot.durationSec).toBeUndefined();
    expect(report.lastSave).toMatchObject({ rdbLastCowSizeBytes: 770_048, latestForkUsec: 721, rdbLastBgsaveTimeSec: 1, status: 'ok', forkUsecPerGiBOfRss: null });
    const check = historyCheck(report.scenario, report.lastSave!);
    expect(check.rows.map((r) => r.reported)).toEqual([770_048, 721, 1]);
    expect(check.rows.every((r) => r.forecast !== null && r.forecast > 0)).toBe(true);
  });

  it('takes the rate between two readings when it has both', () => {
    const report = draftScenario({ source: 'info', info: after, earlier: { info: before, elapsedSec } });
    expect(report.writes.lifetimeAverage).toBe(false);
    expect(report.scenario.workload!.writesPerSec).toBeCloseTo(5000 / elapsedSec, 1);
    expect(report.scenario.provenance!['workload.writesPerSec']!.source).toBe('measured');
  });
});
