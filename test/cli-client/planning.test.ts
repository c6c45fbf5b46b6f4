// `forkcast sweep | compare | plan | host` against a real server, a real worker process and the
// real Redis: results as the engine computes them, the formats, and the exit statuses.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { simulate } from '../../src/engine/simulate.js';
import { scenario } from '../queue/support.js';
import { forkcast, startServer, type Started } from './support.js';

const SERVER_PORT = 6425;

const dir = mkdtempSync(join(tmpdir(), 'forkcast-cli-planning-'));
function file(name: string, body: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(body));
  return path;
}

/** 64 MiB in expected mode: milliseconds of engine time per point. */
const BASE = {
  dataset: { usedMemoryBytes: '64MiB', valueBytes: 100 },
  workload: { writesPerSec: 1000 },
  snapshot: { durationSec: 20 },
  simulation: { maxPoints: 200 },
};
const RATES = [1000, 5000, 20000];

interface Row {
  values: Record<string, unknown>;
  simulationId: string;
  summary: { cowPeakBytes: number; oom: { atRisk: boolean | null } };
}

describe('forkcast sweep, compare, plan and host against a server', () => {
  let server: Started;

  beforeAll(async () => {
    server = await startServer(SERVER_PORT);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  }, 30_000);

  it('sweep --wait: one row per point in axis order, each the engine’s own figures', async () => {
    const run = await forkcast(server.url, ['sweep', '--base', file('base.json', BASE), '--axis', `workload.writesPerSec=${RATES.join(',')}`, '--wait', '60']);
    expect(run.code, run.stderr).toBe(EXIT.ok);
    const { rows } = JSON.parse(run.stdout) as { rows: Row[] };
    expect(rows.map((row) => row.values['workload.writesPerSec'])).toEqual(RATES);
    for (const row of rows) {
      const local = simulate(scenario({ ...BASE, workload: { writesPerSec: row.values['workload.writesPerSec'] as number } }));
      expect(row.summary.cowPeakBytes).toBe(local.summary.cowPeakBytes);
    }
    // More writes, more copies.
    expect(rows[0]!.summary.cowPeakBytes).toBeLessThan(rows[2]!.summary.cowPeakBytes);
  });

  it('sweep: the record, status and result by id; CSV as the server writes it; a table of the rows', async () => {
    const body = file('sweep.json', { base: BASE, axes: [{ path: 'workload.writesPerSec', values: RATES }] });
    const submitted = await forkcast(server.url, ['sweep', body]);
    expect(submitted.code).toBe(EXIT.ok);
    const { id } = JSON.parse(submitted.stdout) as { id: string };
    expect(id).toMatch(/^swp-[0-9a-f]{16}$/);
    const status = await forkcast(server.url, ['status', id, '--wait', '60']);
    expect(status.code).toBe(EXIT.ok);
    expect(JSON.parse(status.stdout)).toMatchObject({ id, status: 'completed', progress: 1, points: 3 });

    const csv = await forkcast(server.url, ['result', id, '--format', 'csv']);
    expect(csv.code).toBe(EXIT.ok);
    expect(csv.stdout).toBe(await (await fetch(`${server.url}/v1/sweeps/${id}/result?format=csv`)).text());
    expect(csv.stdout.trim().split('\n')).toHaveLength(1 + RATES.length);

    const table = await forkcast(server.url, ['result', id, '--format', 'table']);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^workload\.writesPerSec +cowPeakBytes +peakHostMemoryBytes +latestForkUsec/);
    expect(lines.slice(1).map((line) => line.trim().split(/\s+/)[0])).toEqual(RATES.map((rate) => `${rate}/s`));
    expect(lines[1]).toMatch(/ [\d.]+ [KM]iB /);
  });

  it('sweep: --fail-on-oom exits 3 when one point runs out; a bad axis is the server’s 422, exit 2', async () => {
    const hosts = ['sweep', '--base', file('base.json', BASE), '--axis', 'host.memoryBytes=64MiB,4GiB', '--wait', '60'];
    expect((await forkcast(server.url, hosts)).code).toBe(EXIT.ok);
    const failing = await forkcast(server.url, [...hosts, '--fail-on-oom']);
    expect(failing.code).toBe(EXIT.oom);
    const { rows } = JSON.parse(failing.stdout) as { rows: Row[] };
    expect(rows.map((row) => row.summary.oom.atRisk)).toEqual([true, false]);

    const bad = await forkcast(server.url, ['sweep', '--base', file('base.json', BASE), '--axis', 'workload.noSuchField=1,2']);
    expect(bad.code).toBe(EXIT.badInput);
    expect(bad.stderr).toMatch(/422 .*\n {2}axes\.0\.path: /);
  });

  it('compare: two scenario files, each summary and the differences against the first', async () => {
    const slow = file('slow.json', BASE);
    const busy = file('busy.json', { ...BASE, workload: { writesPerSec: 20000 } });
    const run = await forkcast(server.url, ['compare', slow, busy, '--wait', '60']);
    expect(run.code, run.stderr).toBe(EXIT.ok);
    const answer = JSON.parse(run.stdout) as { status: string; items: Array<{ summary: Row['summary']; differences: Record<string, number> }> };
    expect(answer.status).toBe('completed');
    const [a, b] = [simulate(scenario(BASE)).summary, simulate(scenario({ ...BASE, workload: { writesPerSec: 20000 } })).summary];
    expect(answer.items.map((item) => item.summary.cowPeakBytes)).toEqual([a.cowPeakBytes, b.cowPeakBytes]);
    expect(answer.items[1]!.differences.cowPeakBytes).toBe(b.cowPeakBytes - a.cowPeakBytes);

    const table = await forkcast(server.url, ['compare', slow, busy, '--format', 'table']);
    expect(table.code).toBe(EXIT.ok);
    expect(table.stdout).toMatch(/differences against #1 sim-[0-9a-f]{16}:\nfield +#2 sim-[0-9a-f]{16}\n/);
    expect(table.stdout).toMatch(/^cowPeakBytes +\+[\d.]+ [KM]iB$/m);
    const csv = await forkcast(server.url, ['compare', slow, busy, '--format', 'csv']);
    const lines = csv.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^name,simulationId,status,keys,/);

    const oom = await forkcast(server.url, ['compare', slow, file('small-host.json', { ...BASE, host: { memoryBytes: '64MiB' } }), '--fail-on-oom']);
    expect(oom.code).toBe(EXIT.oom);
    const one = await forkcast(server.url, ['compare', slow]);
    expect(one.code).toBe(EXIT.badInput);
  });

  it('plan --wait: the answer, its boundary within the headroom; a host nothing fits exits 3 with --fail-on-oom', async () => {
    // 64 MiB of data peaks near 130 MiB at 1000 writes/s: a 145 MiB host with 10% headroom (130.5 MiB) holds a little more than that.
    const body = { base: BASE, question: 'max-write-rate', host: { memoryBytes: '145MiB', reservedBytes: 0 }, headroomPercent: 10 };
    const run = await forkcast(server.url, ['plan', file('plan.json', body), '--wait', '120']);
    expect(run.code, run.stderr).toBe(EXIT.ok);
    const plan = JSON.parse(run.stdout) as { question: string; answer: { value: number | null; unit: string }; boundary: { summary: { oom: { peakBytes: number } } } };
    expect(plan.question).toBe('max-write-rate');
    expect(plan.answer.value).toBeGreaterThan(1000);
    expect(plan.answer.unit).toBe('writes/s');
    expect(plan.boundary.summary.oom.peakBytes).toBeLessThanOrEqual(145 * 2 ** 20 * 0.9);
    // The boundary is the engine's own figure for the answer.
    const local = simulate(scenario({ ...BASE, workload: { writesPerSec: plan.answer.value! } }));
    expect(plan.boundary.summary.oom.peakBytes).toBe(local.summary.oom.peakBytes);

    const table = await forkcast(server.url, ['plan', file('plan.json', body), '--wait', '120', '--format', 'table']);
    expect(table.stdout).toMatch(new RegExp(`^answer\\.value +${plan.answer.value} writes/s$`, 'm'));
    expect(table.stdout).toMatch(/^cloudRules:$/m);

    // 64 MiB of data on a 64 MiB host: no write rate fits.
    const hopeless = { ...body, host: { memoryBytes: '64MiB', reservedBytes: 0 } };
    const failing = await forkcast(server.url, ['plan', file('hopeless.json', hopeless), '--wait', '120', '--fail-on-oom']);
    expect(failing.code, failing.stderr).toBe(EXIT.oom);
    expect((JSON.parse(failing.stdout) as { answer: { value: null } }).answer.value).toBeNull();

    const bad = await forkcast(server.url, ['plan', file('bad-plan.json', { ...body, question: 'max-happiness' })]);
    expect(bad.code).toBe(EXIT.badInput);
    expect(bad.stderr).toMatch(/question/);
  });

  it('host --wait: the summed peak; a host too small exits 3 with --fail-on-oom', async () => {
    const instance = (name: string) => ({ name, scenario: BASE, snapshotEverySec: 60 });
    const body = { memoryBytes: '4GiB', horizonSec: 300, instances: [instance('a'), instance('b')] };
    const run = await forkcast(server.url, ['host', file('host.json', body), '--wait', '120']);
    expect(run.code, run.stderr).toBe(EXIT.ok);
    const host = JSON.parse(run.stdout) as { peak: { bytes: number; fits: boolean }; series: { hostMemoryBytes: number[] } };
    expect(host.peak.fits).toBe(true);
    expect(host.peak.bytes).toBe(Math.max(...host.series.hostMemoryBytes));

    const small = await forkcast(server.url, ['host', file('small.json', { ...body, memoryBytes: '128MiB' }), '--wait', '120', '--fail-on-oom']);
    expect(small.code, small.stderr).toBe(EXIT.oom);
    expect(small.stdout).toMatch(/"fits": false/);
  });
});
