// What `forkcast validate` writes: per scenario a JSON report — the measured run in the
// ground-truth shape, the engine's result on it, and the errors — and one Markdown table.
import { round } from '../engine/numbers.js';
import type { EngineResult } from '../schemas/result.js';
import type { Scenario } from '../schemas/scenario.js';
import type { MeasuredRun } from '../harness/measure.js';
import { distributionLabel } from '../measured-run/schema.js';
import { PEAK_COW_TOLERANCE, WRITELESS_TOLERANCE_OF_USED, type RunScore } from './score.js';

const MiB = 2 ** 20;

/** The engine's side of a report: the scenario it ran, and its result without the echo of it. */
export interface SimulationSection {
  platform: string;
  /** The scenario the engine ran: for a BGSAVE the measured keys, fragmentation, duration and write schedule. */
  scenario: Scenario;
  summary: Omit<EngineResult['summary'], 'scenario'>;
  series: EngineResult['series'];
}

export function simulationSection(scenario: Scenario, result: EngineResult): SimulationSection {
  const { scenario: _resolved, ...summary } = result.summary;
  return { platform: scenario.kernel.platform, scenario, summary, series: result.series };
}

export interface ValidationReport extends MeasuredRun {
  simulation: SimulationSection;
  errors: {
    /** 'relative' to the measurement, or 'share of used memory' for a run without writes. */
    basis: 'relative' | 'share of used memory';
    peak_cow: number;
    quarters: Array<{ t_s: number; measured_bytes: number; simulated_bytes: number; error: number }>;
    fork: number;
    tolerance: number;
    within_tolerance: boolean;
  };
}

export function buildReport(run: MeasuredRun, scenario: Scenario, result: EngineResult, score: RunScore): ValidationReport {
  return {
    ...run,
    simulation: simulationSection(scenario, result),
    errors: {
      basis: score.writeless ? 'share of used memory' : 'relative',
      peak_cow: round(score.peakError, 5),
      quarters: score.quarters.map((q) => ({
        t_s: q.tSec,
        measured_bytes: q.measuredBytes,
        simulated_bytes: Math.round(q.simulatedBytes),
        error: round(q.error, 5),
      })),
      fork: round(score.forkError, 5),
      tolerance: score.writeless ? WRITELESS_TOLERANCE_OF_USED : PEAK_COW_TOLERANCE,
      within_tolerance: score.withinTolerance,
    },
  };
}


export function percent(x: number): string {
  return `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}%`;
}

export interface TableRow {
  name: string;
  usedMemoryBytes: number;
  /** Null for a dataset of segments. */
  valueBytes: number | null;
  distribution: string;
  thp: string;
  /** Share of the parent's anonymous memory on huge pages at the fork. */
  hugePageCoverage: number | null;
  fragmentationRatio: number | null;
  writeRateTarget: number;
  writeRateAchieved: number;
  snapshotTargetSec: number;
  snapshotSec: number;
  score: RunScore;
  /** Fork predicted with a preset fitted on the pass's other runs (null: too few). */
  forkHostFittedUsec: number | null;
}

export function tableRow(report: ValidationReport, score: RunScore): TableRow {
  const d = report.scenario.distribution;
  return {
    name: report.scenario.name,
    usedMemoryBytes: report.summary.prefork_used_memory,
    valueBytes: report.scenario.value_bytes ?? null,
    distribution: distributionLabel(d),
    thp: report.scenario.thp,
    hugePageCoverage: report.summary.prefork_thp_coverage,
    fragmentationRatio: report.summary.prefork_mem_fragmentation_ratio,
    writeRateTarget: report.summary.write_rate_target,
    writeRateAchieved: report.summary.write_rate_achieved,
    snapshotTargetSec: report.summary.snapshot_target_seconds,
    snapshotSec: report.summary.snapshot_seconds,
    score,
    forkHostFittedUsec: null,
  };
}

const HEADER = [
  'scenario',
  'used MiB',
  'value B',
  'writes',
  'THP (huge at fork)',
  'frag',
  'SET/s target → achieved',
  'snapshot s target → real',
  'peak CoW measured MiB',
  'simulated MiB',
  'error',
  'CoW error at ¼ · ½ · ¾ · end',
  'fork measured ms',
  'simulated ms',
  'error',
  'host-fitted ms',
  'error',
  `within ±${PEAK_COW_TOLERANCE * 100}%`,
];

export function renderTable(rows: TableRow[]): string {
  const lines = [`| ${HEADER.join(' | ')} |`, `|${HEADER.map(() => '---').join('|')}|`];
  for (const r of rows) {
    const s = r.score;
    const of = s.writeless ? ' of used' : '';
    lines.push(
      `| ${[
        r.name,
        (r.usedMemoryBytes / MiB).toFixed(0),
        r.valueBytes === null ? 'segments' : String(r.valueBytes),
        r.distribution,
        r.thp === 'always' && r.hugePageCoverage !== null ? `always (${Math.round(100 * r.hugePageCoverage)}%)` : r.thp,
        r.fragmentationRatio === null ? 'n/a' : r.fragmentationRatio.toFixed(2),
        `${r.writeRateTarget} → ${Math.round(r.writeRateAchieved)}`,
        `${r.snapshotTargetSec} → ${r.snapshotSec.toFixed(1)}`,
        (s.peakMeasuredBytes / MiB).toFixed(1),
        (s.peakSimulatedBytes / MiB).toFixed(1),
        `${percent(s.peakError)}${of}`,
        s.quarters.map((q) => percent(q.error)).join(' · '),
        (s.forkMeasuredUsec / 1000).toFixed(1),
        (s.forkSimulatedUsec / 1000).toFixed(1),
        percent(s.forkError),
        r.forkHostFittedUsec === null ? 'n/a' : (r.forkHostFittedUsec / 1000).toFixed(1),
        r.forkHostFittedUsec === null ? 'n/a' : percent(r.forkHostFittedUsec / s.forkMeasuredUsec - 1),
        s.withinTolerance ? 'yes' : '**no**',
      ].join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

export interface MarkdownContext {
  host: { kernel: string; cpus: number; cpu_model?: string | undefined; mem_total_bytes: number; redis_version?: string | undefined; loadavg_at_start: number[] };
  platform: string;
  command: string;
  generatedAt: string;
  failures: Array<{ name: string; error: string }>;
  /** Sections after the BGSAVE table, each a list of lines (the full syncs' and rewrites' table). */
  sections?: string[][];
}

export function renderMarkdown(rows: TableRow[], context: MarkdownContext): string {
  const { host } = context;
  const lines = [
    '# forkcast validate',
    '',
    `Measured ${context.generatedAt} on Linux ${host.kernel}, ${host.cpus} CPU${host.cpus === 1 ? '' : 's'}` +
      `${host.cpu_model ? ` (${host.cpu_model})` : ''}, ${(host.mem_total_bytes / 2 ** 30).toFixed(1)} GiB RAM, ` +
      `${host.redis_version ?? 'redis-server'}; load average at start ${host.loadavg_at_start.join(' ')}.`,
    `Engine platform preset: ${context.platform}. Reproduce: \`${context.command}\`.`,
  ];
  const sections = context.sections ?? [];
  // The BGSAVE table, unless the pass measured only other kinds.
  if (rows.length > 0 || sections.length === 0) lines.push('', ...bgsaveSection(rows));
  for (const section of sections) lines.push('', ...section);
  if (context.failures.length > 0) {
    lines.push('', '## Scenarios that could not be measured', '');
    for (const f of context.failures) lines.push(`- ${f.name}: ${f.error.replace(/\n/g, ' ')}`);
  }
  return `${lines.join('\n')}\n`;
}

function bgsaveSection(rows: TableRow[]): string[] {
  return [
    'Peak CoW = max child Private_Dirty from /proc/<child>/smaps_rollup, sampled every 100 ms. The engine runs on the',
    'measured scenario: key count, value size, mem_fragmentation_ratio, child lifetime and the measured write progress.',
    `Errors are simulated vs measured; runs without writes are scored as a share of used memory (tolerance ±${WRITELESS_TOLERANCE_OF_USED * 100}%).`,
    'Fork time is reported, not judged: it varies up to 3× between identical runs on a busy 2-vCPU VM. "Simulated" uses the',
    'platform preset; "host-fitted" uses a preset calibrated on the other runs of this pass (leave-one-out), so it shows how',
    'well the fork model carries between forks of this host.',
    '',
    renderTable(rows),
  ];
}
