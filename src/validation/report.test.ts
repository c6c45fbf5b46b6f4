import { describe, expect, it } from 'vitest';
import { percent, renderMarkdown, renderTable, type TableRow } from './report.js';
import type { RunScore } from './score.js';

const MiB = 2 ** 20;
const score = (peakError: number, writeless = false): RunScore => ({
  name: 'x',
  writeless,
  peakMeasuredBytes: 100 * MiB,
  peakSimulatedBytes: 100 * MiB * (1 + peakError),
  peakError,
  quarters: [0.01, -0.02, 0.03, 0.2].map((error, i) => ({ tSec: i, measuredBytes: 1, simulatedBytes: 1, error })),
  forkMeasuredUsec: 20_000,
  forkSimulatedUsec: 15_500,
  forkError: -0.225,
  withinTolerance: Math.abs(peakError) <= 0.15,
});
const row = (name: string, s: RunScore): TableRow => ({
  name,
  usedMemoryBytes: 256 * MiB,
  valueBytes: 100,
  distribution: 'zipf(0.99)',
  thp: 'never',
  hugePageCoverage: 0,
  fragmentationRatio: 1.061,
  writeRateTarget: 5000,
  writeRateAchieved: 4677.4,
  snapshotTargetSec: 5,
  snapshotSec: 6.14,
  score: s,
  forkHostFittedUsec: name === 'q-zipf' ? 21_000 : null,
});

describe('validation table', () => {
  it('formats signed percentages', () => {
    expect(percent(0.0171)).toBe('+1.7%');
    expect(percent(-0.5)).toBe('-50.0%');
  });

  it('renders one row per scenario with measured vs simulated CoW and fork', () => {
    const lines = renderTable([row('q-zipf', score(0.017)), row('bad', score(-0.2))]).split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[2]).toBe(
      '| q-zipf | 256 | 100 | zipf(0.99) | never | 1.06 | 5000 → 4677 | 5 → 6.1 | 100.0 | 101.7 | +1.7% | +1.0% · -2.0% · +3.0% · +20.0% | 20.0 | 15.5 | -22.5% | 21.0 | +5.0% | yes |',
    );
    expect(lines[3]).toMatch(/\| -20\.0% \|.*\| n\/a \| n\/a \| \*\*no\*\* \|$/);
    expect(renderTable([{ ...row('thp', score(0)), thp: 'always', hugePageCoverage: 0.944 }])).toContain('| always (94%) |');
  });

  it('marks errors of runs without writes as shares of used memory, and lists failures', () => {
    const md = renderMarkdown([row('noload', score(0.001, true))], {
      host: { kernel: '6.18', cpus: 2, mem_total_bytes: 24 * 2 ** 30, loadavg_at_start: [1, 2, 3] },
      platform: 'reference-kvm',
      command: 'npx forkcast validate --quick',
      generatedAt: '2026-11-26 01:33 UTC',
      failures: [{ name: 'thp-x', error: 'redis-server exited\nbind: in use' }],
    });
    expect(md).toContain('+0.1% of used');
    expect(md).toContain('Reproduce: `npx forkcast validate --quick`');
    expect(md).toContain('- thp-x: redis-server exited bind: in use');
  });
});
