import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScenarioFile, ScenarioFileError, selectScenarios } from './scenario-file.js';

const shipped = join(import.meta.dirname, '../../validation/scenarios.json');
const scenarios = parseScenarioFile(JSON.parse(readFileSync(shipped, 'utf8')), shipped);

describe('validation/scenarios.json', () => {
  it('covers 100 B to 64 KiB values, every distribution, THP and fragmentation', () => {
    expect(new Set(scenarios.map((s) => s.value_bytes))).toEqual(new Set([100, 300, 1024, 4096, 16_384, 65_536]));
    expect(new Set(scenarios.map((s) => s.distribution.type))).toEqual(new Set(['uniform', 'zipf', 'hotset', 'sequential']));
    expect(scenarios.some((s) => s.thp === 'always')).toBe(true);
    expect(scenarios.some((s) => s.fragmentation.induce)).toBe(true);
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
    const quick = selectScenarios(scenarios, { quick: true });
    expect(quick.length).toBeGreaterThanOrEqual(3);
    // Budget per run: ~6 s of fill, probes and warm-up on top of the save.
    expect(quick.reduce((sum, s) => sum + s.snapshot_seconds + 15, 0)).toBeLessThanOrEqual(120);
    expect(quick.every((s) => s.thp === 'never')).toBe(true);
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
