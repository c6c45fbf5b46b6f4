import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSyncScenario, type SyncValidationScenario, type ValidationScenario } from '../measured-run/validation-scenario.js';
import { parseScenarioFile, ScenarioFileError, selectScenarios } from './scenario-file.js';

const shipped = join(import.meta.dirname, '../../validation/scenarios.json');
const entries = parseScenarioFile(JSON.parse(readFileSync(shipped, 'utf8')), shipped);
const bgsaves = entries.filter((s): s is ValidationScenario => !isSyncScenario(s));
const scenarios = bgsaves.filter((s) => s.segments === undefined);
const segmented = bgsaves.filter((s) => s.segments !== undefined);
const syncs = entries.filter(isSyncScenario);

describe('validation/scenarios.json', () => {
  it('covers, in its BGSAVEs, 100 B to 1 MiB values, every distribution, THP and fragmentation', () => {
    // 32 KiB: the first class the arena serves (tcache_max); 128 KiB and 1 MiB: few keys, large extents.
    expect(new Set(scenarios.map((s) => s.value_bytes))).toEqual(new Set([100, 300, 1024, 4096, 16_384, 32_768, 65_536, 131_072, 1_048_576]));
    expect(new Set(scenarios.map((s) => s.distribution.type))).toEqual(new Set(['uniform', 'zipf', 'hotset', 'sequential']));
    expect(scenarios.some((s) => s.thp === 'always')).toBe(true);
    expect(new Set(scenarios.filter((s) => s.fragmentation.induce).map((s) => s.fragmentation.fill_factor))).toEqual(new Set([2, 3]));
    expect(scenarios.some((s) => s.write_rate === 0)).toBe(true);
  });

  it('sizes every run at 256 MiB–1 GiB with 5–20 s snapshots', () => {
    for (const s of scenarios) {
      expect(s.dataset_mib, s.name).toBeGreaterThanOrEqual(256);
      expect(s.dataset_mib, s.name).toBeLessThanOrEqual(1024);
      expect(s.snapshot_seconds, s.name).toBeGreaterThanOrEqual(5);
      expect(s.snapshot_seconds, s.name).toBeLessThanOrEqual(20);
    }
  });

  it('marks a quick subset that fits in 2 minutes: small fills, short saves, no THP', () => {
    const quick = selectScenarios(entries, { quick: true }) as ValidationScenario[];
    expect(quick.length).toBeGreaterThanOrEqual(3);
    // Budget per run: ~6 s of fill, probes and warm-up on top of the save.
    expect(quick.reduce((sum, s) => sum + s.snapshot_seconds + 15, 0)).toBeLessThanOrEqual(120);
    expect(quick.every((s) => s.thp === 'never')).toBe(true);
  });

  it('has a run per encoding, mixed string sizes, mixed types and expiring keys, at 128–256 MiB with ~5 s saves', () => {
    const encodings = segmented.flatMap((s) => (s.segments!.length === 1 ? [`${s.segments![0]!.type} ${s.segments![0]!.encoding}`] : []));
    expect(new Set(encodings)).toEqual(
      new Set(['hash listpack', 'hash hashtable', 'set intset', 'set hashtable', 'zset listpack', 'zset skiplist', 'list quicklist', 'string raw']),
    );
    const mixedSizes = segmented.find((s) => s.segments!.length === 3 && s.segments!.every((g) => g.type === 'string'))!;
    expect(mixedSizes.segments!.map((g) => g.value_bytes)).toEqual([40, 400, 4096]);
    expect(segmented.some((s) => new Set(s.segments!.map((g) => g.type)).size === 5)).toBe(true);
    expect(segmented.find((s) => s.segments!.some((g) => g.ttl))!.segments![0]!.ttl).toEqual({ share: 0.1, from: 0, to: 5 });
    for (const s of segmented) {
      expect(s.dataset_mib, s.name).toBeGreaterThanOrEqual(128);
      expect(s.dataset_mib, s.name).toBeLessThanOrEqual(256);
      expect(s.snapshot_seconds, s.name).toBe(5);
    }
  });

  it('has a disk-based and a diskless sync, a disconnect loop at 8mb 4mb 10 without a save rule, and a rewrite under load', () => {
    const byName = (n: string) => syncs.find((s) => s.name === n);
    expect(byName('sync-disk')).toMatchObject({ kind: 'full-sync', diskless: false, save: '' });
    expect(byName('sync-diskless')).toMatchObject({ kind: 'full-sync', diskless: true, diskless_sync_delay_sec: 5 });
    expect(byName('sync-obuf-loop')).toMatchObject({ output_buffer_limit: { hardBytes: 8 * 2 ** 20, softBytes: 4 * 2 ** 20, softSec: 10 }, save: '' });
    expect(byName('aof-rewrite')!.kind).toBe('aof-rewrite');
    expect(byName('aof-rewrite')!.write_rate).toBeGreaterThan(0);
    expect(syncs.every((s) => !s.quick)).toBe(true);
  });
});

describe('scenario files', () => {
  const minimal = { name: 'a', dataset_mib: 256, value_bytes: 100, snapshot_seconds: 5 };

  it('fills the defaults of the ground-truth scenario shape', () => {
    const [a] = parseScenarioFile([minimal], 'x.json');
    expect(a).toMatchObject({
      quick: false,
      write_rate: 0,
      distribution: { type: 'uniform' },
      thp: 'never',
      fragmentation: { induce: false, fill_factor: 2 },
      sample_interval_ms: 100,
      rdb_key_save_delay: null,
      seed: 1,
    });
  });

  it('names the bad field, and refuses duplicate names and a missing size', () => {
    expect(() => parseScenarioFile([{ ...minimal, value_bytes: -1 }], 'x.json')).toThrow(/0\.value_bytes/);
    expect(() => parseScenarioFile([minimal, minimal], 'x.json')).toThrow(/appears twice/);
    expect(() => parseScenarioFile([{ ...minimal, dataset_mib: undefined }], 'x.json')).toThrow(/exactly one of dataset_mib and keys/);
    expect(() => parseScenarioFile([{ ...minimal, name: '../etc' }], 'x.json')).toThrow(ScenarioFileError);
  });

  it('selects by --only in file order and rejects unknown names', () => {
    const all = parseScenarioFile([minimal, { ...minimal, name: 'b', quick: true }, { ...minimal, name: 'c' }], 'x.json');
    expect(selectScenarios(all, { only: ['c', 'a'] }).map((s) => s.name)).toEqual(['a', 'c']);
    expect(selectScenarios(all, { quick: true }).map((s) => s.name)).toEqual(['b']);
    expect(() => selectScenarios(all, { only: ['zz'] })).toThrow(/no scenario named zz/);
  });
});

describe('segment entries', () => {
  const base = { name: 'g', dataset_mib: 128, snapshot_seconds: 5 };
  const parseOne = (entry: object) => parseScenarioFile([entry], 'x.json')[0] as ValidationScenario;

  it('takes keys or a share per segment, with its type’s sizes', () => {
    const s = parseOne({ ...base, segments: [{ type: 'hash', share: 0.5, elements: 16, element_bytes: 32 }, { type: 'string', keys: 10, value_bytes: 40 }] });
    expect(s.segments).toMatchObject([{ type: 'hash', share: 0.5, int_members: false }, { type: 'string', keys: 10 }]);
    expect(s.value_bytes).toBeUndefined();
  });

  it('names what a segment lacks or has too much of', () => {
    expect(() => parseOne({ ...base, segments: [{ type: 'set', keys: 5, element_bytes: 8 }] })).toThrow(/0\.segments\.0\.elements: a set segment needs elements/);
    expect(() => parseOne({ ...base, segments: [{ type: 'string', value_bytes: 8 }] })).toThrow(/exactly one of keys and share/);
    expect(() => parseOne({ ...base, segments: [{ type: 'hash', keys: 5, elements: 2, element_bytes: 8, ttl: { share: 0.1, to: 5 } }] })).toThrow(/ttl is for string segments/);
    expect(() => parseOne({ ...base, value_bytes: 100, segments: [{ type: 'string', keys: 5, value_bytes: 8 }] })).toThrow(/segments or value_bytes/);
    expect(() => parseOne({ ...base, segments: [{ type: 'string', share: 0.7, value_bytes: 8 }, { type: 'string', share: 0.7, value_bytes: 9 }] })).toThrow(/add up to 1\.4/);
    expect(() => parseOne({ name: 'x', snapshot_seconds: 5, segments: [{ type: 'string', share: 0.5, value_bytes: 8 }] })).toThrow(/segment shares need dataset_mib/);
  });

  it('still requires value_bytes without segments', () => {
    expect(() => parseOne({ ...base })).toThrow(/value_bytes is required without segments/);
  });
});

describe('full-sync and aof-rewrite entries', () => {
  const sync = { name: 's', kind: 'full-sync', dataset_mib: 256, value_bytes: 1024, write_rate: 4000, snapshot_seconds: 8 };
  const parseOne = (entry: object) => parseScenarioFile([entry], 'x.json')[0] as SyncValidationScenario;

  it('fills the probe defaults, and reads the limit in Redis units', () => {
    expect(parseOne(sync)).toMatchObject({ quick: false, save: '', horizon_seconds: 60, max_forks: 3, after_settle_seconds: 2 });
    expect(parseOne({ ...sync, output_buffer_limit: '1gb 256m 60' }).output_buffer_limit).toEqual({ hardBytes: 2 ** 30, softBytes: 256e6, softSec: 60 });
  });

  it('names the bad field of its own kind', () => {
    expect(() => parseOne({ ...sync, output_buffer_limit: '8mb 4mb' })).toThrow(/0\.output_buffer_limit: expected "<hard> <soft> <seconds>"/);
    expect(() => parseOne({ ...sync, save: '3600' })).toThrow(/0\.save/);
    expect(() => parseOne({ ...sync, thp: 'always' })).toThrow(/thp/);
    expect(() => parseOne({ ...sync, kind: 'aof-rewrite', replicas: 2 })).toThrow(/0\.replicas: replicas is a full sync's/);
  });

  it('leaves a BGSAVE entry as it was, with or without kind', () => {
    const bgsave = { name: 'a', dataset_mib: 256, value_bytes: 100, snapshot_seconds: 5 };
    expect(parseScenarioFile([bgsave], 'x.json')[0]).not.toHaveProperty('kind');
    expect(parseScenarioFile([{ ...bgsave, kind: 'bgsave' }], 'x.json')[0]).toMatchObject({ kind: 'bgsave', thp: 'never' });
    expect(() => parseScenarioFile([{ ...bgsave, kind: 'snapshot' }], 'x.json')).toThrow(/0\.kind/);
  });
});
