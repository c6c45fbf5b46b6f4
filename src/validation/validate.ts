// `forkcast validate`: checks the host, measures each selected scenario on a redis-server of
// its own, scores the engine on each measurement, and writes one JSON report per scenario and
// validation.md into the output directory.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { observationFromRun } from '../measured-run/observation-from-run.js';
import type { ValidationScenario } from '../measured-run/validation-scenario.js';
import { interruptedBy } from '../harness/cleanup.js';
import { hostFacts } from '../harness/environment.js';
import { measureScenario } from '../harness/measure.js';
import { leaveOneOutForkUsec, type HostFitRun } from '../calibration/host-fit.js';
import { checkHost, preconditionProblems } from '../harness/preconditions.js';
import { buildReport, renderMarkdown, tableRow, type TableRow } from './report.js';
import { readScenarioFile, selectScenarios } from './scenario-file.js';
import { scoreRun } from './score.js';

export interface ValidateOptions {
  scenariosFile: string;
  outDir: string;
  only?: string[] | undefined;
  quick?: boolean | undefined;
  /** Leave out scenarios that need the THP switch. */
  skipThp?: boolean | undefined;
  /** Engine platform preset to score against. */
  platform: string;
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
  failures: Array<{ name: string; error: string }>;
  markdown: string;
  markdownFile: string;
  /** Every scenario measured and within tolerance. */
  passed: boolean;
}

export async function selectForRun(options: Pick<ValidateOptions, 'scenariosFile' | 'only' | 'quick' | 'skipThp'>): Promise<ValidationScenario[]> {
  const selected = selectScenarios(await readScenarioFile(options.scenariosFile), options);
  return options.skipThp ? selected.filter((s) => s.thp !== 'always') : selected;
}

export async function runValidation(options: ValidateOptions): Promise<ValidateOutcome> {
  const scenarios = await selectForRun(options);
  if (scenarios.length === 0) throw new PreconditionError(['every selected scenario needs THP and --skip-thp left none']);
  const problems = preconditionProblems(scenarios, await checkHost(options), options);
  if (problems.length > 0) throw new PreconditionError(problems);

  mkdirSync(options.outDir, { recursive: true });
  const host = hostFacts(options.executable);
  const rows: TableRow[] = [];
  const hostFitRuns: HostFitRun[] = [];
  const failures: Array<{ name: string; error: string }> = [];
  for (const [i, scenario] of scenarios.entries()) {
    if (interruptedBy()) break;
    options.log(`[${i + 1}/${scenarios.length}] ${scenario.name}`);
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
  });
  const markdownFile = join(options.outDir, 'validation.md');
  writeFileSync(markdownFile, markdown);
  return { rows, failures, markdown, markdownFile, passed: failures.length === 0 && rows.every((r) => r.score.withinTolerance) };
}
