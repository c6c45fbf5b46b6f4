// The engine against real redis-server 7.0 BGSAVE runs measured on the reference VM
// (test/fixtures/ground-truth). Prints the error table that README.md shows.
import { describe, expect, it } from 'vitest';
import { simulate } from '../src/engine/simulate.js';
import { cowAt, quarterSamples, relativeError as relative } from '../src/validation/score.js';
import { loadGroundTruth } from './support/ground-truth.js';

const runs = loadGroundTruth();
const MiB = 2 ** 20;

const pct = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}%`;

interface Row {
  name: string;
  peakMeasured: number;
  peakSimulated: number;
  peakError: number;
  quarterErrors: number[];
  forkMeasured: number;
  forkSimulated: number;
  writeless: boolean;
}

const rows: Row[] = runs.map((run) => {
  const flat = simulate(run.scenario);
  const scheduled = simulate(run.scheduledScenario);
  const writeless = run.measured.writes === 0;
  const quarterErrors = quarterSamples(run.measured).map((s) =>
    writeless
      ? (cowAt(scheduled, s.t_s) - s.child_private_dirty_bytes) / run.measured.usedMemoryBytes
      : relative(cowAt(scheduled, s.t_s), s.child_private_dirty_bytes),
  );
  return {
    name: run.name,
    peakMeasured: run.measured.peakCowBytes,
    peakSimulated: flat.summary.cowPeakBytes,
    peakError: writeless
      ? (flat.summary.cowPeakBytes - run.measured.peakCowBytes) / run.measured.usedMemoryBytes
      : relative(flat.summary.cowPeakBytes, run.measured.peakCowBytes),
    quarterErrors,
    forkMeasured: run.measured.forkUsec,
    forkSimulated: flat.summary.latestForkUsec,
    writeless,
  };
});

describe('fidelity against measured redis-server BGSAVE runs', () => {
  it('prints the error table', () => {
    const lines = [
      '| run | peak CoW measured MiB | simulated MiB | error | CoW at ¼ · ½ · ¾ · end | fork measured ms | simulated ms | error |',
      '|---|---|---|---|---|---|---|---|',
      ...rows.map(
        (r) =>
          `| ${r.name} | ${(r.peakMeasured / MiB).toFixed(1)} | ${(r.peakSimulated / MiB).toFixed(1)} | ${pct(r.peakError)}${r.writeless ? ' of used' : ''} | ${r.quarterErrors.map(pct).join(' · ')} | ${(r.forkMeasured / 1000).toFixed(1)} | ${(r.forkSimulated / 1000).toFixed(1)} | ${pct(relative(r.forkSimulated, r.forkMeasured))} |`,
      ),
    ];
    console.log(lines.join('\n'));
    expect(rows.length).toBeGreaterThanOrEqual(17);
  });

  it.each(rows.map((r) => [r.name, r] as const))('%s: peak CoW within 10%% (no-write runs: 1%% of used memory)', (_name, row) => {
    expect(Math.abs(row.peakError)).toBeLessThan(row.writeless ? 0.01 : 0.1);
  });

  it.each(rows.map((r) => [r.name, r] as const))('%s: CoW at each quarter of the snapshot within 20%%', (_name, row) => {
    for (const error of row.quarterErrors) expect(Math.abs(error)).toBeLessThan(row.writeless ? 0.01 : 0.2);
  });

  it('fork time lies within the spread of repeated measurements of the same memory size', () => {
    // Identical scenarios 03 and 15 forked in 121.9 and 42.6 ms: CPU contention from the
    // co-located load generator moves fork time up to 3× on this 2-vCPU VM. The model must sit
    // inside the measured range for its page size and memory size, with 30% to spare.
    const groups = new Map<string, Row[]>();
    for (const row of rows) {
      const run = runs.find((r) => r.name === row.name)!;
      const huge = run.scenario.kernel.thp === 'always' && !run.scenario.redis.disableThp;
      const key = `${huge ? 'thp' : '4k'}:${Math.round(run.measured.usedMemoryBytes / 2 ** 28)}`;
      groups.set(key, [...(groups.get(key) ?? []), row]);
    }
    for (const group of groups.values()) {
      const measured = group.map((r) => r.forkMeasured);
      const low = Math.min(...measured) * 0.7;
      const high = Math.max(...measured) * 1.3;
      for (const row of group) {
        expect(row.forkSimulated, row.name).toBeGreaterThanOrEqual(low);
        expect(row.forkSimulated, row.name).toBeLessThanOrEqual(high);
      }
    }
    const errors = rows.map((r) => Math.abs(relative(r.forkSimulated, r.forkMeasured))).sort((a, b) => a - b);
    expect(errors[Math.floor(errors.length / 2)]).toBeLessThan(0.4);
  });
});
