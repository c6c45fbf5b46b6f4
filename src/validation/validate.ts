// `forkcast validate`: checks the host, measures each selected scenario on a redis-server of
// its own (a full sync's on a master and replicas of its own), scores the engine on each
// measurement, and writes one JSON report per scenario and validation.md into the output
// directory: one table for the BGSAVEs, one for the full syncs and AOF rewrites.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { observationFromRun } from '../measured-run/observation-from-run.js';
import { isSyncScenario, type SyncValidationScenario, type ValidationEntry } from '../measured-run/validation-scenario.js';
import { interruptedBy } from '../harness/cleanup.js';
import { hostFacts } from '../harness/environment.js';
import { measureScenario } from '../harness/measure.js';
import { measureSyncScenario } from '../harness/sync-probe.js';
import { leaveOneOutForkUsec, type HostFitRun } from '../calibration/host-fit.js';
import { checkHost, preconditionProblems } from '../harness/preconditions.js';
import { buildReport, renderMarkdown, tableRow, type TableRow } from './report.js';
import { readScenarioFile, selectScenarios } from './scenario-file.js';
import { scoreRun } from './score.js';
import { scoreSyncRun } from './sync-score.js';
import { buildSyncReport, renderSyncSection, syncTableRow, type SyncTableRow } from './sync-report.js';

export interface ValidateOptions {
  scenariosFile: string;
  outDir: string;
  only?: string[] | undefined;
  quick?: boolean | undefined;
  /** Leave out scenarios that need the THP switch. */
  skipThp?: boolean | undefined;
  /** Engine platform preset to score against. */
  platform: string;
  /** The redis-server's loopback port; a full sync's replicas take the ports after it. Free ports when absent. */
  port?: number | undefined;
  executable?: string | undefined;
  /** The command line, for the report's "reproduce" line. */
  command: string;
  log: (line: string) => void;
}

export class PreconditionError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.map((p) => `  - ${p}`).join('\n'));
  }
}

export interface ValidateOutcome {
  rows: TableRow[];
  syncRows: SyncTableRow[];
  failures: Array<{ name: string; error: string }>;
  markdown: string;
  markdownFile: string;
  /** Every scenario measured and within tolerance. */
  passed: boolean;
}

export async function selectForRun(options: Pick<ValidateOptions, 'scenariosFile' | 'only' | 'quick' | 'skipThp'>): Promise<ValidationEntry[]> {
  const selected = selectScenarios(await readScenarioFile(options.scenariosFile), options);
  return options.skipThp ? selected.filter((s) => isSyncScenario(s) || s.thp !== 'always') : selected;
}

/** Ports a scenario takes from --port on: the master and its replicas. */
const portsNeeded = (s: ValidationEntry) => (isSyncScenario(s) && s.kind === 'full-sync' ? 1 + (s.replicas ?? 1) : 1);

export async function runValidation(options: ValidateOptions): Promise<ValidateOutcome> {
  const scenarios = await selectForRun(options);
  if (scenarios.length === 0) throw new PreconditionError(['every selected scenario needs THP and --skip-thp left none']);
  const portCount = Math.max(...scenarios.map(portsNeeded));
  const problems = preconditionProblems(scenarios, await checkHost({ ...options, portCount }), { ...options, portCount });
  if (problems.length > 0) throw new PreconditionError(problems);

  mkdirSync(options.outDir, { recursive: true });
  const host = hostFacts(options.executable);
  const rows: TableRow[] = [];
  const syncRows: SyncTableRow[] = [];
  const hostFitRuns: HostFitRun[] = [];
  const failures: Array<{ name: string; error: string }> = [];
  for (const [i, scenario] of scenarios.entries()) {
    if (interruptedBy()) break;
    options.log(`[${i + 1}/${scenarios.length}] ${scenario.name}`);
    if (isSyncScenario(scenario)) {
      try {
        syncRows.push(await validateSync(scenario, options));
      } catch (err) {
        failures.push({ name: scenario.name, error: (err as Error).message });
        options.log(`  failed: ${(err as Error).message}`);
      }
      continue;
    }
    try {
      const run = await measureScenario(scenario, { port: options.port, executable: options.executable, log: (l) => options.log(`  ${l}`) });
      const { run: measured, result, score } = scoreRun(run, { platform: options.platform });
      const report = buildReport(run, measured.scheduledScenario, result, score);
      writeFileSync(join(options.outDir, `${scenario.name}.json`), `${JSON.stringify(report, null, 1)}\n`);
      rows.push(tableRow(report, score));
      hostFitRuns.push({ observation: observationFromRun(measured.view), scenario: measured.scheduledScenario });
      options.log(
        `  peak CoW ${(score.peakMeasuredBytes / 2 ** 20).toFixed(1)} MiB measured, ${(score.peakSimulatedBytes / 2 ** 20).toFixed(1)} MiB simulated ` +
          `(${(100 * score.peakError).toFixed(1)}%${score.writeless ? ' of used memory' : ''})`,
      );
    } catch (err) {
      failures.push({ name: scenario.name, error: (err as Error).message });
      options.log(`  failed: ${(err as Error).message}`);
    }
  }
  leaveOneOutForkUsec(hostFitRuns).forEach((usec, i) => (rows[i]!.forkHostFittedUsec = usec));
  const markdown = renderMarkdown(rows, {
    host,
    platform: options.platform,
    command: options.command,
    generatedAt: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    failures,
    ...(syncRows.length > 0 ? { sections: [renderSyncSection(syncRows)] } : {}),
  });
  const markdownFile = join(options.outDir, 'validation.md');
  writeFileSync(markdownFile, markdown);
  const passed = failures.length === 0 && rows.every((r) => r.score.withinTolerance) && syncRows.every((r) => r.score.withinTolerance);
  return { rows, syncRows, failures, markdown, markdownFile, passed };
}

/** Measures a full sync or rewrite with the sync probe, scores the engine on it and writes its report. */
async function validateSync(scenario: SyncValidationScenario, options: ValidateOptions): Promise<SyncTableRow> {
  const run = await measureSyncScenario(scenario, (l) => options.log(`  ${l}`), { port: options.port, executable: options.executable, command: options.command });
  const scored = scoreSyncRun(run, { platform: options.platform });
  writeFileSync(join(options.outDir, `${scenario.name}.json`), `${JSON.stringify(buildSyncReport(run, scored), null, 1)}\n`);
  const { replicationBuffer: buffer, masterMemory: memory, disconnect } = scored.score;
  const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
  options.log(
    `  peak buffers ${mib(buffer.measuredBytes)} MiB measured, ${mib(buffer.simulatedBytes)} MiB simulated; ` +
      `peak RSS + child ${mib(memory.measuredBytes)} MiB measured, ${mib(memory.simulatedBytes)} MiB simulated; ` +
      `replica dropped: ${disconnect.measured ? 'yes' : 'no'} measured, ${disconnect.simulated ? 'yes' : 'no'} predicted`,
  );
  return syncTableRow(run, scored);
}
