// `forkcast submit | status | result | cancel` against a real server, a real worker process and
// the real Redis: every exit status the command documents, the round trip, the formats, a
// closed pipe and the progress bar.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { forecast } from '../../src/advice/forecast.js';
import { simulationId } from '../../src/service/job-id.js';
import { SimulationRecordSchema } from '../../src/schemas/api.js';
import { SimulationResultSchema } from '../../src/schemas/result.js';
import { seriesToCsv } from '../../src/schemas/series-csv.js';
import { formatBytes } from '../../src/schemas/units.js';
import { startPrivateRedis } from '../../src/runtime/private-redis.js';
import { longScenario, scenario } from '../queue/support.js';
import { forkcast, forkcastIntoHead, REPO_ROOT, startServer, type Started } from './support.js';

// Ports of this file: the server, a Redis of its own and the server on it, and one where nothing listens.
const SERVER_PORT = 6422;
const OWN_REDIS_PORT = 6423;
const SERVER_ON_OWN_REDIS_PORT = 6424;
const NOTHING_PORT = 6429;

const dir = mkdtempSync(join(tmpdir(), 'forkcast-cli-client-'));
function file(name: string, body: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof body === 'string' ? body : JSON.stringify(body));
  return path;
}

/** 64 MiB in expected mode over 300 s: milliseconds of engine time, 2000 samples of series. */
const QUICK = {
  dataset: { usedMemoryBytes: '64MiB', valueBytes: 100 },
  workload: { writesPerSec: 1000 },
  snapshot: { durationSec: 300 },
};
/** The same on a 64 MiB host: the parent alone fills it. */
const OOM = { ...QUICK, host: { memoryBytes: '64MiB' } };
/** QUICK's simulation id, as the server derives it. */
const SIM_OF_QUICK = simulationId(scenario(QUICK));

describe('forkcast as a client of a server', () => {
  let server: Started;

  beforeAll(async () => {
    server = await startServer(SERVER_PORT);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  }, 30_000);

  it('--version prints the version of package.json', async () => {
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    const run = await forkcast(undefined, ['--version']);
    expect(run).toMatchObject({ code: EXIT.ok, stdout: `${version}\n` });
  });

  it('submit, status, result: the round trip, the result the engine and its advice give in-process', async () => {
    const submitted = await forkcast(server.url, ['submit', file('quick.json', QUICK)]);
    expect(submitted.code).toBe(EXIT.ok);
    const record = SimulationRecordSchema.parse(JSON.parse(submitted.stdout));
    expect(record.id).toMatch(/^sim-[0-9a-f]{16}$/);

    const status = await forkcast(server.url, ['status', record.id, '--wait', '30']);
    expect(status.code).toBe(EXIT.ok);
    expect(status.stderr).toBe('');
    const finished = SimulationRecordSchema.parse(JSON.parse(status.stdout));
    expect(finished.status).toBe('completed');

    const result = await forkcast(server.url, ['result', record.id]);
    expect(result.code).toBe(EXIT.ok);
    const parsed = SimulationResultSchema.parse(JSON.parse(result.stdout));
    const local = forecast(scenario(QUICK));
    expect(parsed.summary).toEqual(local.summary);
    expect(finished.summary?.cowPeakBytes).toBe(local.summary.cowPeakBytes);
    expect(parsed.series.tSec).toHaveLength(local.series.tSec.length);

    // The same scenario from standard input is the same simulation, already finished.
    const again = await forkcast(server.url, ['submit', '-', '--wait'], { stdin: JSON.stringify(QUICK) });
    expect(again.code).toBe(EXIT.ok);
    expect(SimulationResultSchema.parse(JSON.parse(again.stdout)).summary).toEqual(local.summary);
  });

  it('--format csv is the server’s CSV; table shows the summary in human units', async () => {
    const local = forecast(scenario(QUICK));
    const csv = await forkcast(server.url, ['submit', file('quick.json', QUICK), '--wait', '--format', 'csv', '--max-points', '50']);
    expect(csv.code).toBe(EXIT.ok);
    const served = await (await fetch(`${server.url}/v1/simulations/${SIM_OF_QUICK}/result?format=csv&maxPoints=50`)).text();
    expect(csv.stdout).toBe(served);
    // Comment lines (#) aside, the series' header and one row per kept sample.
    const rows = csv.stdout.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    expect(rows[0]).toBe(seriesToCsv(local.series).split('\n')[0]);
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.length).toBeLessThanOrEqual(51);

    const table = await forkcast(server.url, ['submit', file('quick.json', QUICK), '--wait', '--format', 'table']);
    expect(table.code).toBe(EXIT.ok);
    expect(table.stdout).toMatch(new RegExp(`^cowPeakBytes +${formatBytes(local.summary.cowPeakBytes).replace('.', '\\.')}$`, 'm'));
    expect(table.stdout).toMatch(/^latestForkUsec +[\d.]+ (µs|ms)$/m);
    expect(table.stdout).toMatch(/^rdbBgsaveTimeSec +300 s$/m);
    expect(table.stdout).not.toMatch(/^(tSec|series|scenario)/m);

    const record = await forkcast(server.url, ['submit', file('quick.json', QUICK), '--format', 'csv']);
    const [header, row] = record.stdout.trim().split('\n');
    expect(header!.split(',').slice(0, 3)).toEqual(['id', 'status', 'progress']);
    expect(row).toMatch(/^sim-[0-9a-f]{16},completed,1,/);
  });

  it('exits 2 on bad input found before any request, naming the field', async () => {
    // The server named does not exist: any request would exit 4, not 2.
    const nowhere = `http://127.0.0.1:${NOTHING_PORT}`;
    const bad = await forkcast(nowhere, ['submit', file('bad.json', { dataset: { keys: 1e12, valueBytes: 100 }, workload: { writesPerSec: -1 } })]);
    expect(bad.code).toBe(EXIT.badInput);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/is not a valid scenario/);
    expect(bad.stderr).toMatch(/dataset\.keys: .*10000000000/);
    expect(bad.stderr).toMatch(/workload\.writesPerSec/);
    expect((await forkcast(nowhere, ['submit', file('junk.json', '{ nope')])).stderr).toMatch(/not valid JSON/);
    expect((await forkcast(nowhere, ['submit', '/nonexistent.json'])).code).toBe(EXIT.badInput);
    expect((await forkcast(nowhere, ['sweep', '-'], { stdin: JSON.stringify({ base: { dataset: { keys: 0 } }, axes: [] }) })).stderr).toMatch(
      /standard input is not a valid sweep request:\n {2}base\.dataset\.keys: /,
    );
    const usage = await forkcast(nowhere, ['submit', 'x.json', '--format', 'xml']);
    expect(usage.code).toBe(EXIT.badInput);
    expect(usage.stderr).toMatch(/argument 'xml' is invalid/);
    expect((await forkcast(nowhere, ['status', 'no-such-kind-of-id'])).stderr).toMatch(/give --kind/);
    expect((await forkcast(undefined, ['status', 'sim-0000000000000000', '--server', 'ftp://x'])).code).toBe(EXIT.badInput);
  });

  it('exits 2 on the server’s 4xx with its detail on stderr', async () => {
    const missing = await forkcast(server.url, ['status', 'sim-0000000000000000']);
    expect(missing.code).toBe(EXIT.badInput);
    expect(missing.stderr).toBe('forkcast: 404 SIMULATION_NOT_FOUND: No simulation with id "sim-0000000000000000".\n');
    const badKey = await forkcast(server.url, ['submit', file('quick.json', QUICK), '--idempotency-key', 'with space']);
    expect(badKey.code).toBe(EXIT.badInput);
    expect(badKey.stderr).toMatch(/400 INVALID_PARAMETER: .*\n {2}idempotency-key: must be printable ASCII without spaces/);
    const points = await forkcast(server.url, ['submit', file('quick.json', QUICK), '--wait', '--max-points', '1000000']);
    expect(points.code).toBe(EXIT.badInput);
    expect(points.stderr).toMatch(/400 INVALID_PARAMETER.*\n {2}maxPoints: /);
  });

  it('exits 3 with --fail-on-oom when the forecast is OOM, and prints the result all the same', async () => {
    const path = file('oom.json', OOM);
    const failing = await forkcast(server.url, ['submit', path, '--wait', '--fail-on-oom']);
    expect(failing.code).toBe(EXIT.oom);
    expect(failing.stderr).toMatch(/runs out of memory/);
    const result = SimulationResultSchema.parse(JSON.parse(failing.stdout));
    expect(result.summary.oom.atRisk).toBe(true);
    expect(result.summary.oom.limitBytes).toBe(64 * 2 ** 20);
    // --human: the verdict for a person on stderr, as `simulate` writes it, even off a terminal.
    const human = await forkcast(server.url, ['submit', path, '--wait', '--human', '--format', 'csv']);
    expect(human.stderr).toMatch(/^ {2}OOM at [\d.]+ (µs|ms|s): peak [\d.]+ MiB of 64(\.0)? MiB/m);
    // Without the flag, the same forecast is a success; a fitting one passes with it.
    expect((await forkcast(server.url, ['submit', path, '--wait'])).code).toBe(EXIT.ok);
    expect((await forkcast(server.url, ['submit', file('fits.json', { ...QUICK, host: { memoryBytes: '4GiB' } }), '--wait', '--fail-on-oom'])).code).toBe(EXIT.ok);
    const id = (JSON.parse((await forkcast(server.url, ['submit', path])).stdout) as { id: string }).id;
    expect((await forkcast(server.url, ['result', id, '--fail-on-oom', '--format', 'csv'])).code).toBe(EXIT.oom);
    expect((await forkcast(server.url, ['status', id, '--fail-on-oom'])).code).toBe(EXIT.oom);
  });

  it('exits 4 when no server answers', async () => {
    const run = await forkcast(`http://127.0.0.1:${NOTHING_PORT}`, ['submit', file('quick.json', QUICK), '--wait']);
    expect(run.code).toBe(EXIT.unavailable);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`forkcast: server unavailable: cannot reach http://127.0.0.1:${NOTHING_PORT}: ECONNREFUSED\n`);
  });

  it('exits 4 when the server answers 503 (its Redis has gone)', async () => {
    const redis = await startPrivateRedis({ port: OWN_REDIS_PORT });
    let alone: Started | undefined;
    try {
      alone = await startServer(SERVER_ON_OWN_REDIS_PORT, { redisUrl: redis.url, workers: 0 });
      expect((await forkcast(alone.url, ['submit', file('quick.json', QUICK)])).code).toBe(EXIT.ok);
      await redis.stop();
      const run = await forkcast(alone.url, ['status', 'sim-0000000000000000']);
      expect(run.code).toBe(EXIT.unavailable);
      expect(run.stderr).toMatch(/^forkcast: server unavailable: GET \/v1\/simulations\/sim-0000000000000000: 503 .*\(retry after \d+ s\)\n$/);
    } finally {
      await alone?.stop();
      await redis.stop();
    }
  }, 60_000);

  it('ends quietly with status 0 when the reader closes the pipe (| head -c 10)', async () => {
    const { id } = SimulationRecordSchema.parse(JSON.parse((await forkcast(server.url, ['submit', file('quick.json', QUICK)])).stdout));
    expect((await forkcast(server.url, ['status', id, '--wait', '30'])).code).toBe(EXIT.ok);
    // Far more than a pipe's 64 KiB buffer, so the write meets the closed pipe.
    const full = await forkcast(server.url, ['result', id]);
    expect(full.stdout.length).toBeGreaterThan(256 * 1024);
    for (const args of [['result', id], ['result', id, '--format', 'csv'], ['submit', file('quick.json', QUICK), '--wait']]) {
      const run = await forkcastIntoHead(server.url, args, 10);
      expect(run.stdout, args.join(' ')).toHaveLength(10);
      expect(run.stderr, args.join(' ')).toBe('');
      expect(run.code, args.join(' ')).toBe(EXIT.ok);
    }
  });

  it('--wait N that runs out exits 6; result of a running job exits 6; cancelled exits 5', async () => {
    const path = file('long.json', longScenario(41));
    const waited = await forkcast(server.url, ['submit', path, '--wait', '0.5']);
    expect(waited.code).toBe(EXIT.notFinished);
    expect(waited.stdout).toBe('');
    const id = /(sim-[0-9a-f]{16}) is still (queued|running) after 0\.5 s/.exec(waited.stderr)?.[1];
    expect(id, waited.stderr).toBeDefined();
    const early = await forkcast(server.url, ['result', id!]);
    expect(early.code).toBe(EXIT.notFinished);
    expect(early.stderr).toMatch(/is (queued|running) .*its result exists once it has completed/);
    const cancel = await forkcast(server.url, ['cancel', id!]);
    expect(cancel.code).toBe(EXIT.ok);
    expect(['cancelled', 'running']).toContain(SimulationRecordSchema.parse(JSON.parse(cancel.stdout)).status);
    const status = await forkcast(server.url, ['status', id!, '--wait', '30']);
    expect(status.code).toBe(EXIT.jobFailed);
    expect(SimulationRecordSchema.parse(JSON.parse(status.stdout)).status).toBe('cancelled');
    expect((await forkcast(server.url, ['result', id!])).code).toBe(EXIT.jobFailed);
  });

  it('shows a progress bar on a terminal’s stderr while it waits, and none without one', async () => {
    const path = file('long-bar.json', longScenario(42, 6));
    // script(1) gives the command a terminal; both streams arrive in its output.
    const command = [process.execPath, join(REPO_ROOT, 'bin/forkcast.mjs'), 'submit', path, '--wait', '60', '--format', 'table', '--server', server.url]
      .map((arg) => `'${arg}'`)
      .join(' ');
    const { stdout } = await promisify(execFile)('script', ['-qfec', command, '/dev/null'], { cwd: REPO_ROOT, maxBuffer: 2 ** 24 });
    expect(stdout).toMatch(/simulation \[[^\]]*\] \d+% running/);
    expect(stdout).toMatch(/^cowPeakBytes +[\d.]+ [KMG]iB/m);
    // The verdict's lines too, as on a terminal `simulate` prints them.
    expect(stdout).toMatch(/^ {2}PEAK [\d.]+ [MG]iB at [\d.]+ (µs|ms|s): no host limit given/m);
    // Another as long, from a pipe: nothing on stderr.
    const piped = await forkcast(server.url, ['submit', file('long-piped.json', longScenario(43, 6)), '--wait', '60', '--format', 'table']);
    expect(piped.code).toBe(EXIT.ok);
    expect(piped.stderr).toBe('');
  });
});
