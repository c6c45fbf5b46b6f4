// `forkcast validate` refuses to start on a host that cannot run it, and `forkcast calibrate`
// fits the reference VM's preset from the ground truth.
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CalibrationResultSchema } from '../../src/schemas/calibration.js';
import { GROUND_TRUTH_DIR } from '../support/ground-truth.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
const bin = join(root, 'bin/forkcast.mjs');

async function forkcast(args: string[], env: NodeJS.ProcessEnv = process.env) {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { cwd: root, env, maxBuffer: 16 * 2 ** 20 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('forkcast validate preconditions', () => {
  let busy: Server;
  let port: number;
  beforeAll(async () => {
    busy = createServer();
    await new Promise<void>((done) => busy.listen(0, '127.0.0.1', done));
    port = (busy.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((done) => busy.close(() => done())));

  it('exits 2 naming a busy port, before starting anything', async () => {
    const { code, stderr, stdout } = await forkcast(['validate', '--only', 'q-u5k-256m-100b', '--port', String(port), '--out', '/nonexistent/out']);
    expect(code).toBe(2);
    expect(stderr).toContain(`port ${port} is in use on 127.0.0.1`);
    expect(stdout).toBe('');
  });

  it('exits 2 when redis-server is not on PATH', async () => {
    const { code, stderr } = await forkcast(['validate', '--quick'], { ...process.env, PATH: '/nonexistent' });
    expect(code).toBe(2);
    expect(stderr).toContain('redis-server is not on PATH');
  });

  it('measures the redis-server binary it is given, and says when it is missing', async () => {
    const { code, stderr } = await forkcast(['validate', '--quick', '--redis-server', '/nonexistent/redis-server']);
    expect(code).toBe(2);
    expect(stderr).toContain('/nonexistent/redis-server cannot be run');
  });

  it('exits 2 for an unknown scenario name, listing the known ones', async () => {
    const { code, stderr } = await forkcast(['validate', '--only', 'nope']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/no scenario named nope; known: q-u5k-256m-100b/);
  });
});

describe('forkcast calibrate', () => {
  it('fits the ground-truth runs to the reference VM preset', async () => {
    const { code, stdout } = await forkcast(['calibrate', GROUND_TRUTH_DIR, '--format', 'json', '--id', 'my-vm']);
    expect(code).toBe(0);
    const result = CalibrationResultSchema.parse(JSON.parse(stdout));
    expect(result.preset.id).toBe('my-vm');
    // The preset's write-protected cost (50,020 µs/GiB) and the kernel tables' writable ratio.
    expect(result.preset.forkUsecPerGiB).toBeGreaterThan(49_000);
    expect(result.preset.forkUsecPerGiB).toBeLessThan(51_000);
    expect(result.preset.forkWritableUsecPerGiB / result.preset.forkUsecPerGiB).toBeCloseTo(3.254, 2);
  });

  it('prints the preset and the fit table for an observations file', async () => {
    const { code, stdout } = await forkcast(['calibrate', join(root, 'test/fixtures/calibration-observations.json')]);
    expect(code).toBe(0);
    expect(stdout).toContain('"forkUsecPerGiB": 40000');
    expect(stdout).toMatch(/\| small \| 0\.500 \| 20,240 \| 20,240 \| \+0\.0% \|/);
  });

  it('exits 2 naming the bad field', async () => {
    const { code, stderr } = await forkcast(['calibrate', join(root, 'validation/scenarios.json')]);
    expect(code).toBe(2);
    expect(stderr).toContain('observations');
  });
});
