// `forkcast submit | status | result | cancel | sweep | plan | compare | host`: a thin client
// of a forkcast server. Bodies are checked with the server's own schemas before they are sent;
// every outcome is one of the exit statuses in ../exit-codes.ts.
import { Command, InvalidArgumentError, Option } from 'commander';
import { bodyIssues, type BodyKind } from '../../client/bodies.js';
import { ComparisonTimeoutError, postComparison, waitForComparison, type ComparisonState } from '../../client/comparisons.js';
import { ProblemError, UnavailableError, UnexpectedResponseError } from '../../client/errors.js';
import { DEFAULT_REQUEST_TIMEOUT_MS, HttpClient } from '../../client/http-client.js';
import {
  getJob,
  getJobResult,
  JOB_KINDS,
  jobPath,
  kindOf,
  submitJob,
  waitForJob,
  WaitTimeoutError,
  type JobKind,
  type JobRecord,
} from '../../client/jobs.js';
import { isFinishedStatus } from '../../schemas/api.js';
import { SummarySchema } from '../../schemas/result.js';
import { humanSummary } from '../human-summary.js';
import type { FieldIssue } from '../../schemas/issues.js';
import { CliError } from '../cli-error.js';
import { EXIT } from '../exit-codes.js';
import { readJson } from '../read-json.js';
import { parseAxis, type AxisSpec } from './axis-option.js';
import { csvOfObject, keyValueTable } from './format.js';
import { saysOom } from './oom.js';
import { progressBar } from './progress.js';
import { csvOf, tableOf } from './render.js';

/** Where `npm start` listens. */
export const DEFAULT_SERVER = 'http://localhost:3000';

type Format = 'json' | 'csv' | 'table';

interface ConnectionOptions {
  server: string;
  requestTimeout: number;
}

interface OutputOptions extends ConnectionOptions {
  format: Format;
  failOnOom?: boolean;
  /** `true`: wait as long as it takes; a number: at most that many seconds. */
  wait?: true | number;
  maxPoints?: number;
  kind?: JobKind;
  human?: boolean;
}

/** The kinds whose result route answers `?format=csv` itself. */
const SERVER_CSV: ReadonlySet<JobKind> = new Set(['simulation', 'sweep']);

function positiveSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number of seconds > 0');
  return n;
}

function pointCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 3) throw new InvalidArgumentError('expected an integer >= 3');
  return n;
}

function connectionOptions(command: Command): Command {
  return command
    .addOption(new Option('--server <url>', 'forkcast API to talk to').env('FORKCAST_SERVER').default(DEFAULT_SERVER))
    .option('--request-timeout <sec>', 'longest wait for any one answer of the server', positiveSeconds, DEFAULT_REQUEST_TIMEOUT_MS / 1000);
}

function outputOptions(command: Command): Command {
  return connectionOptions(command)
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'csv', 'table']).default('json'))
    .option('--fail-on-oom', `exit ${EXIT.oom} when a summary in the answer says the host runs out of memory`)
    .option('--wait [sec]', 'wait until the job has finished (at most sec seconds) and print its result', positiveSeconds);
}

function clientFor(options: ConnectionOptions): HttpClient {
  try {
    return new HttpClient({ baseUrl: options.server, requestTimeoutMs: options.requestTimeout * 1000 });
  } catch (err) {
    throw new CliError(`--server: ${(err as Error).message}`);
  }
}

function write(text: string): void {
  process.stdout.write(text);
}

function printJson(body: unknown): void {
  write(`${JSON.stringify(body, null, 2)}\n`);
}

function printRecord(record: JobRecord, format: Format): void {
  if (format === 'json') return printJson(record);
  write(format === 'csv' ? csvOfObject(record, new Set(['links'])) : keyValueTable(record, new Set(['links'])));
}

/** An answer that has no CSV of the server's own, printed in `format`. */
function printAnswer(kind: BodyKind, body: unknown, format: Format): void {
  if (format === 'json') printJson(body);
  else write(format === 'table' ? tableOf(kind, body) : csvOf(kind, body));
}

const percent = (progress: number | undefined) => `${Math.round((progress ?? 0) * 100)}%`;

/** The result of a completed job, printed in `format`; resolves with the result as JSON for --fail-on-oom. */
async function printResult(client: HttpClient, kind: JobKind, path: string, record: JobRecord, options: OutputOptions): Promise<unknown> {
  // Only a simulation's series can be thinned.
  options = kind === 'simulation' ? options : { ...options, maxPoints: undefined };
  if (options.format === 'csv' && SERVER_CSV.has(kind)) {
    write((await getJobResult(client, path, record, { format: 'csv', maxPoints: options.maxPoints })).text);
    return options.failOnOom ? (await getJobResult(client, path, record, { maxPoints: options.maxPoints })).body : undefined;
  }
  const json = (await getJobResult(client, path, record, { maxPoints: options.maxPoints })).body;
  printAnswer(kind, json, options.format);
  return json;
}

/**
 * A simulation's verdict, warnings and advice for a person, on stderr as `simulate` writes them:
 * when it is a terminal, or always with --human, never with --no-human.
 */
function printHuman(kind: JobKind, record: JobRecord, options: OutputOptions): void {
  if (kind !== 'simulation' || !(options.human ?? process.stderr.isTTY === true)) return;
  // A server from before the verdict has none to print.
  const parsed = SummarySchema.safeParse(record.summary);
  if (parsed.success) process.stderr.write(humanSummary(parsed.data, parsed.data.scenario.name));
}

function invalidBody(kind: BodyKind, source: string, issues: readonly FieldIssue[]): CliError {
  const what = kind === 'simulation' ? 'scenario' : `${kind} request`;
  const name = source === '-' ? 'standard input' : source;
  return new CliError(`${name} is not a valid ${what}:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`);
}

function finishedWithoutResult(record: JobRecord): CliError {
  const reason = record.error ? `: ${record.error.message} (${record.error.code})` : '';
  return new CliError(`${record.id} ${record.status}${reason}`, EXIT.jobFailed);
}

async function follow(client: HttpClient, kind: JobKind, path: string, record: JobRecord, wait: true | number): Promise<JobRecord> {
  const bar = progressBar(kind);
  try {
    return await waitForJob(client, path, record, { timeoutSec: wait === true ? undefined : wait, onProgress: (r) => bar.update(r) });
  } finally {
    bar.stop();
  }
}

function failOnOom(kind: BodyKind, options: OutputOptions, answer: unknown): void {
  if (options.failOnOom && saysOom(kind, answer)) throw new CliError('the forecast says the host runs out of memory (--fail-on-oom)', EXIT.oom);
}

/** Reads a body, checks its scenarios, submits it and, with --wait, prints its result. */
async function submitAndReport(kind: JobKind, body: unknown, source: string, options: OutputOptions & { idempotencyKey?: string }): Promise<void> {
  const issues = bodyIssues(kind, body);
  if (issues.length > 0) throw invalidBody(kind, source, issues);
  const client = clientFor(options);
  const submitted = await submitJob(client, kind, body, { idempotencyKey: options.idempotencyKey });
  if (options.wait === undefined) {
    printRecord(submitted.record, options.format);
    return failOnOom(kind, options, submitted.record);
  }
  const record = await follow(client, kind, submitted.path, submitted.record, options.wait);
  if (record.status !== 'completed') throw finishedWithoutResult(record);
  const answer = await printResult(client, kind, submitted.path, record, options);
  printHuman(kind, record, options);
  failOnOom(kind, options, answer);
}

/** The kind of an id: --kind, else its prefix or path. */
function resolveKind(id: string, options: { kind?: JobKind }): JobKind {
  const kind = options.kind ?? kindOf(id);
  if (!kind) throw new CliError(`cannot tell what ${id} is: give --kind (${Object.keys(JOB_KINDS).join(', ')})`);
  return kind;
}

function kindOption(): Option {
  return new Option('--kind <kind>', 'what the id names (default: read off its prefix)').choices(Object.keys(JOB_KINDS));
}

/** Exit statuses of the client's failures; anything else is left to the caller. */
export function clientFailure(err: unknown): CliError | undefined {
  if (err instanceof CliError) return err;
  if (err instanceof WaitTimeoutError) {
    return new CliError(`${err.message} (progress ${percent(err.record.progress)})`, EXIT.notFinished);
  }
  if (err instanceof ComparisonTimeoutError) return new CliError(`${err.message} (progress ${percent(err.state.progress)})`, EXIT.notFinished);
  if (err instanceof UnavailableError) {
    const retry = err.retryAfterSec === undefined ? '' : ` (retry after ${err.retryAfterSec} s)`;
    return new CliError(`server unavailable: ${err.message}${retry}`, EXIT.unavailable);
  }
  if (err instanceof ProblemError) {
    const { problem, status } = err;
    const lines = [`${status} ${problem.code ?? problem.title}: ${problem.detail ?? problem.title}`];
    for (const issue of problem.errors ?? []) lines.push(`  ${issue.path}: ${issue.message}`);
    // StateConflictProblem's `simulationStatus`, and its like for other kinds.
    const jobStatus = Object.entries(problem).find(([key]) => key !== 'status' && key.endsWith('Status'))?.[1];
    // A result asked for too early, or of a job that will never have one.
    if (status === 409 && (jobStatus === 'queued' || jobStatus === 'running')) return new CliError(lines.join('\n'), EXIT.notFinished);
    if (status === 409 && (jobStatus === 'failed' || jobStatus === 'cancelled')) return new CliError(lines.join('\n'), EXIT.jobFailed);
    return new CliError(lines.join('\n'), status >= 500 ? EXIT.unexpected : EXIT.badInput);
  }
  if (err instanceof UnexpectedResponseError) return new CliError(`unexpected answer: ${err.message}`, EXIT.unexpected);
  return undefined;
}

export function addClientCommands(program: Command): void {
  outputOptions(
    program
      .command('submit')
      .description('submit a scenario (JSON file, or - for stdin) to a forkcast server; with --wait, print its result as `simulate` does')
      .argument('<scenario>', 'scenario JSON file, or - for standard input'),
  )
    .option('--max-points <n>', 'with --wait: downsample the series to at most n points', pointCount)
    .option('--idempotency-key <key>', 'a retried submit with the same key and file names the same simulation; another file is refused')
    .option('--human', 'with --wait: print the verdict, warnings and advice on stderr even when it is not a terminal')
    .option('--no-human', 'do not print them, even on a terminal')
    .action(async (file: string, options: OutputOptions & { idempotencyKey?: string }) => {
      await submitAndReport('simulation', await readJson(file), file, options);
    });

  outputOptions(
    program
      .command('status')
      .description('print the state of a job (simulation, sweep, plan, host, comparison); with --wait, once it has finished')
      .argument('<id>', 'the job id, or its path such as /v1/sweeps/ID')
      .addOption(kindOption()),
  ).action(async (id: string, options: OutputOptions) => {
    const kind = resolveKind(id, options);
    const client = clientFor(options);
    const path = jobPath(kind, id);
    let record = await getJob(client, path);
    if (options.wait !== undefined) record = await follow(client, kind, path, record, options.wait);
    printRecord(record, options.format);
    if (options.wait !== undefined && record.status !== 'completed') throw finishedWithoutResult(record);
    failOnOom(kind, options, record);
  });

  outputOptions(
    program
      .command('result')
      .description('print the result of a completed job; with --wait, wait for it first')
      .argument('<id>', 'the job id, or its path such as /v1/sweeps/ID')
      .addOption(kindOption()),
  )
    .option('--max-points <n>', 'downsample a simulation’s series to at most n points', pointCount)
    .option('--human', 'a simulation: print the verdict, warnings and advice on stderr even when it is not a terminal')
    .option('--no-human', 'do not print them, even on a terminal')
    .action(async (id: string, options: OutputOptions) => {
      const kind = resolveKind(id, options);
      const client = clientFor(options);
      const path = jobPath(kind, id);
      let record = await getJob(client, path);
      if (options.wait !== undefined) record = await follow(client, kind, path, record, options.wait);
      if (record.status === 'queued' || record.status === 'running') {
        throw new CliError(`${record.id} is ${record.status} (progress ${percent(record.progress)}); its result exists once it has completed`, EXIT.notFinished);
      }
      if (record.status !== 'completed') throw finishedWithoutResult(record);
      const answer = await printResult(client, kind, path, record, options);
      printHuman(kind, record, options);
      failOnOom(kind, options, answer);
    });

  connectionOptions(
    program
      .command('cancel')
      .description('cancel a queued or running job (a sweep: the points not yet run)')
      .argument('<id>', 'the job id, or its path')
      .addOption(kindOption())
      .addOption(new Option('--format <format>', 'output format').choices(['json', 'csv', 'table']).default('json')),
  ).action(async (id: string, options: OutputOptions) => {
    const kind = resolveKind(id, options);
    const answer = await clientFor(options).request('DELETE', jobPath(kind, id));
    printRecord(answer.body as JobRecord, options.format);
  });

  const bodyCommand = (name: string, kind: JobKind, description: string) =>
    outputOptions(program.command(name).description(description).argument('<body>', 'request JSON file, or - for standard input')).action(
      async (file: string, options: OutputOptions) => {
        await submitAndReport(kind, await readJson(file), file, options);
      },
    );
  outputOptions(
    program
      .command('sweep')
      .description('run a sweep ({ base, axes }) over one or two axes of a scenario; with --wait, print one row per point')
      .argument('[body]', 'request JSON file, or - for standard input (or give --base and --axis)')
      .option('--base <scenario>', 'the scenario to sweep (JSON file, or - for standard input), instead of a request file')
      .option('--axis <spec>', 'with --base, repeatable: path=v1,v2,… or path=from..to:steps[:log]', parseAxis),
  ).action(async (file: string | undefined, options: OutputOptions & { base?: string; axis?: AxisSpec[] }) => {
    if ((file === undefined) === (options.base === undefined)) throw new CliError('give a request file, or --base and --axis');
    if (options.base !== undefined && !options.axis) throw new CliError('--base needs at least one --axis');
    const body = options.base === undefined ? await readJson(file!) : { base: await readJson(options.base), axes: options.axis };
    await submitAndReport('sweep', body, file ?? options.base!, options);
  });
  bodyCommand('plan', 'plan', 'answer a capacity question ({ base, question, host, headroomPercent? }): the largest dataset, write rate, … that fits');
  bodyCommand('host', 'host', 'forecast a whole host ({ memoryBytes, horizonSec, instances }): its summed memory timeline and peak');

  outputOptions(
    program
      .command('compare')
      .description('compare two to eight scenarios side by side, every summary field’s difference against the first (scenario files, or one { scenarios } request file)')
      .argument('<files...>', 'scenario JSON files, or one request file, or - for standard input'),
  ).action(async (files: string[], options: OutputOptions) => {
    const body = files.length === 1 ? await readJson(files[0]!) : { scenarios: await Promise.all(files.map(readJson)) };
    const issues = bodyIssues('comparison', body);
    if (issues.length > 0) throw invalidBody('comparison', files.length === 1 ? files[0]! : files.join(' '), issues);
    const client = clientFor(options);
    let state: ComparisonState;
    if (options.wait === undefined) {
      // One round, as long as the server waits by default; 202 means it did not finish in it.
      const answer = await postComparison(client, body);
      state = answer.state;
    } else {
      const wait = options.wait;
      const bar = progressBar('comparison');
      try {
        state = await waitForComparison(client, body, { timeoutSec: wait === true ? undefined : wait, onProgress: (s) => bar.update(s) });
      } finally {
        bar.stop();
      }
    }
    printAnswer('comparison', state, options.format);
    if (!isFinishedStatus(state.status)) {
      throw new CliError(`the comparison is still ${state.status} (progress ${percent(state.progress)}): run the same command again, nothing is simulated twice`, EXIT.notFinished);
    }
    if (state.status !== 'completed') throw new CliError(`the comparison ${state.status}: a scenario’s simulation did not complete`, EXIT.jobFailed);
    failOnOom('comparison', options, state);
  });
}
