// `forkcast validate`: measures real redis-server BGSAVEs, full syncs and AOF rewrites and scores
// the engine on them.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PLATFORM_IDS } from '../engine/platforms.js';
import { DEFAULT_VALIDATION_PLATFORM } from '../measured-run/scenario-from-run.js';
import { ScenarioFileError } from '../validation/scenario-file.js';
import { PreconditionError, runValidation, type ValidateOutcome } from '../validation/validate.js';
import { CliError } from './simulate-command.js';

/** validation/scenarios.json of this package. */
export const DEFAULT_SCENARIOS_FILE = resolve(dirname(fileURLToPath(import.meta.url)), '../../validation/scenarios.json');

export interface ValidateCommandOptions {
  scenarios: string;
  out: string;
  only?: string[];
  quick?: boolean;
  skipThp?: boolean;
  platform: string;
  port?: number;
  /** redis-server binary to measure; `redis-server` on PATH when absent. */
  redisServer?: string;
}

/** The command line that repeats a run, for the report. */
export function reproduceCommand(options: ValidateCommandOptions): string {
  const parts = ['npx forkcast validate'];
  if (resolve(options.scenarios) !== DEFAULT_SCENARIOS_FILE) parts.push(`--scenarios ${options.scenarios}`);
  if (options.only?.length) parts.push(`--only ${options.only.join(',')}`);
  if (options.quick) parts.push('--quick');
  if (options.skipThp) parts.push('--skip-thp');
  if (options.redisServer) parts.push(`--redis-server ${options.redisServer}`);
  if (options.platform !== DEFAULT_VALIDATION_PLATFORM) parts.push(`--platform ${options.platform}`);
  return parts.join(' ');
}

/** Resolves when every scenario was measured and within tolerance; throws CliError otherwise. */
export async function runValidate(options: ValidateCommandOptions): Promise<void> {
  if (!PLATFORM_IDS.includes(options.platform)) {
    throw new CliError(`unknown platform ${options.platform}; known: ${PLATFORM_IDS.join(', ')}`);
  }
  let outcome: ValidateOutcome;
  try {
    outcome = await runValidation({
      scenariosFile: options.scenarios,
      outDir: options.out,
      only: options.only,
      quick: options.quick,
      skipThp: options.skipThp,
      platform: options.platform,
      port: options.port,
      executable: options.redisServer,
      command: reproduceCommand(options),
      log: (line) => process.stderr.write(`${line}\n`),
    });
  } catch (err) {
    if (err instanceof PreconditionError) throw new CliError(`cannot validate on this host:\n${err.message}`);
    if (err instanceof ScenarioFileError) throw new CliError(err.message);
    throw err;
  }
  process.stdout.write(outcome.markdown);
  process.stderr.write(`wrote ${outcome.markdownFile} and one JSON report per scenario\n`);
  const problems: string[] = [];
  if (outcome.failures.length > 0) problems.push(`could not measure ${outcome.failures.map((f) => f.name).join(', ')}`);
  const beyond = outcome.rows.filter((r) => !r.score.withinTolerance).map((r) => r.name);
  if (beyond.length > 0) problems.push(`peak CoW error beyond tolerance in ${beyond.join(', ')}`);
  const syncBeyond = outcome.syncRows.filter((r) => !r.score.withinTolerance).map((r) => r.name);
  if (syncBeyond.length > 0) problems.push(`peak buffer or memory beyond tolerance, or a disconnect mispredicted, in ${syncBeyond.join(', ')}`);
  if (problems.length > 0) throw new CliError(problems.join('; '), 1);
}
