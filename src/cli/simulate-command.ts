// `forkcast simulate SCENARIO.json`: runs the engine in this process, no Redis involved.
import { SingleBar } from 'cli-progress';
import { EngineError } from '../engine/errors.js';
import { forecast } from '../advice/forecast.js';
import { issueLines } from '../schemas/issues.js';
import { ScenarioSchema } from '../schemas/scenario.js';
import { resultToCsv } from '../schemas/series-csv.js';
import { CliError } from './cli-error.js';
import { humanSummary } from './human-summary.js';
import { readJson } from './read-json.js';

export interface SimulateOptions {
  mode?: 'exact' | 'expected';
  format: 'json' | 'csv';
  seed?: number;
  /** The human summary on stderr: true always, false never, absent when stderr is a terminal. */
  human?: boolean;
}

export { CliError };

/** Reads and validates a scenario file; throws CliError naming every bad field. */
export async function readScenario(file: string) {
  const parsed = ScenarioSchema.safeParse(await readJson(file));
  if (!parsed.success) {
    const lines = issueLines(parsed.error);
    throw new CliError(`${file} is not a valid scenario:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

export async function runSimulate(file: string, options: SimulateOptions, stderr: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr): Promise<string> {
  const scenario = await readScenario(file);
  if (options.mode) scenario.simulation.mode = options.mode;
  if (options.seed !== undefined) scenario.simulation.seed = options.seed;
  // A bar only where a person watches and the run takes a while.
  const bar = process.stderr.isTTY ? new SingleBar({ format: 'simulating [{bar}] {percentage}%', stream: process.stderr }) : undefined;
  let result;
  const started = Date.now();
  let shown = false;
  try {
    result = forecast(scenario, {
      onProgress: (fraction) => {
        if (!bar) return;
        if (!shown && Date.now() - started > 500) {
          bar.start(100, 0);
          shown = true;
        }
        if (shown) bar.update(Math.round(fraction * 100));
      },
    });
  } catch (err) {
    if (err instanceof EngineError) throw new CliError(`${err.path.join('.') || 'scenario'}: ${err.message} (${err.code})`);
    throw err;
  } finally {
    if (shown) bar?.stop();
  }
  if (options.human ?? stderr.isTTY === true) stderr.write(humanSummary(result.summary, scenario.name));
  return options.format === 'csv' ? resultToCsv(result) : `${JSON.stringify(result, null, 2)}\n`;
}
