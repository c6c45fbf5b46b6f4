// forkcast's command line, for scripts and people: the engine in-process.
import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { addClientCommands, clientFailure } from './client/commands.js';
import { EXIT } from './exit-codes.js';
import { runCalibrate } from './calibrate-command.js';
import { runInspect } from './inspect-command.js';
import { INSPECT_DEFAULTS, INSPECT_LIMITS } from '../inspect/limits.js';
import { runSimulate } from './simulate-command.js';
import { DEFAULT_VALIDATION_PLATFORM } from '../measured-run/scenario-from-run.js';
import { DEFAULT_SCENARIOS_FILE, runValidate } from './validate-command.js';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InvalidArgumentError('expected a port from 1 to 65535');
  return n;
}

function nameList(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

function nonNegative(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a number >= 0');
  return n;
}

function boundedInteger(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    return n;
  };
}

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 2 ** 32 - 1) throw new InvalidArgumentError('expected an integer from 0 to 4294967295');
  return n;
}

function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

export function buildProgram(): Command {
  const program = new Command('forkcast')
    .description('Forecast copy-on-write memory and fork latency of Redis BGSAVE')
    .version(packageVersion(), '-V, --version', 'print the version')
    // Usage errors throw, so that main() answers them with the exit status of bad input.
    .exitOverride()
    .showHelpAfterError();
  program
    .command('simulate')
    .description('simulate a scenario file (JSON, or - for stdin) and print the result')
    .argument('<scenario>', 'scenario JSON file, or - for standard input')
    .addOption(new Option('--mode <mode>', 'simulation mode (overrides the file)').choices(['exact', 'expected']))
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'csv']).default('json'))
    .option('--seed <n>', 'random seed for exact mode (overrides the file)', integer)
    .option('--human', 'print the verdict, warnings and advice on stderr even when it is not a terminal')
    .option('--no-human', 'do not print them, even on a terminal')
    .action(async (file: string, options) => {
      process.stdout.write(await runSimulate(file, options));
    });
  program
    .command('validate')
    .description('measure real redis-server BGSAVEs (copy-on-write, fork time), full syncs and AOF rewrites (buffers, memory, disconnects) and score the engine on them')
    .option('--scenarios <file>', 'validation scenarios JSON', DEFAULT_SCENARIOS_FILE)
    .option('--out <dir>', 'directory for the JSON reports and validation.md', 'validation-out')
    .option('--only <names>', 'comma-separated scenario names to run', nameList)
    .option('--quick', 'only the scenarios marked quick (under 2 minutes)')
    .option('--skip-thp', 'leave out scenarios that set the THP switch (they need root)')
    .option('--platform <id>', 'engine platform preset to score against', DEFAULT_VALIDATION_PLATFORM)
    .option('--port <n>', 'loopback port for the redis-server it starts, a full sync\'s replicas on the ports after it (default: free ones)', port)
    .option('--redis-server <path>', 'the redis-server binary to measure (default: redis-server on PATH)')
    .action(async (options) => {
      await runValidate(options);
    });
  program
    .command('inspect')
    .description('draft a scenario from a live instance (read-only commands) or a saved INFO text, with the provenance of each field')
    .argument('[url]', 'redis://[user:password@]host:port (rediss:// for TLS)')
    .option('--tls', 'connect over TLS (implied by rediss://)')
    .option('--sample <n>', `keys to sample by SCAN (at most ${INSPECT_LIMITS.maxSampleKeys})`, boundedInteger(1, INSPECT_LIMITS.maxSampleKeys), INSPECT_DEFAULTS.sampleKeys)
    .option('--observe <sec>', `seconds between the two INFO commandstats readings (0: one reading, lifetime averages; at most ${INSPECT_LIMITS.maxObserveSec})`, boundedInteger(0, INSPECT_LIMITS.maxObserveSec), INSPECT_DEFAULTS.observeSec)
    .option('--out <file>', 'write the drafted scenario JSON here')
    .option('--info-file <file>', 'draft from the output of `redis-cli INFO all` saved in a file (- for standard input) instead of a live instance')
    .addOption(new Option('--format <format>', 'report format').choices(['text', 'json']).default('text'))
    .action(async (url: string | undefined, options) => {
      process.stdout.write(await runInspect(url, options));
    });
  program
    .command('calibrate')
    .description('fit a platform preset (fork µs per GiB, fault cost) to observed forks')
    .argument('<file>', 'observations JSON, a validate report or ground-truth run, or a directory of them')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('--id <id>', 'id of the preset', 'calibrated')
    .option('--label <text>', 'label of the preset')
    .option('--fork-fixed-usec <us>', 'fork() cost of an empty process, held fixed (default: the reference VM’s)', nonNegative)
    .action((file: string, options) => {
      process.stdout.write(runCalibrate(file, options));
    });
  addClientCommands(program);
  return program;
}

/**
 * A reader that stops early (`| head`) closes the pipe: whatever is left to write has no
 * one to read it, which is a normal end, not a failure.
 */
function endQuietlyOnClosedPipe(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(EXIT.ok);
    throw err;
  });
  // A message nobody reads changes nothing about the outcome: keep the status it had.
  process.stderr.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok);
    throw err;
  });
}

export async function main(argv: string[]): Promise<number> {
  endQuietlyOnClosedPipe();
  try {
    await buildProgram().parseAsync(argv);
    return EXIT.ok;
  } catch (err) {
    // Commander has already printed its message (or the help, or the version).
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    const failure = clientFailure(err);
    if (failure) {
      process.stderr.write(`forkcast: ${failure.message}\n`);
      return failure.exitCode;
    }
    throw err;
  }
}

