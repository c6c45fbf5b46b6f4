import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SimulationResultSchema } from '../src/schemas/result.js';
import { ScenarioSchema } from '../src/schemas/scenario.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..');
const bin = join(root, 'bin/forkcast.mjs');

async function forkcast(...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { cwd: root, maxBuffer: 64 * 2 ** 20 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('forkcast CLI', () => {
  it('ships example scenarios that all validate', () => {
    const files = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const file of files) {
      const json = JSON.parse(readFileSync(join(root, 'examples', file), 'utf8'));
      expect(ScenarioSchema.safeParse(json).success, file).toBe(true);
    }
  });

  it('simulates a scenario file and prints the result as JSON', async () => {
    const { code, stdout } = await forkcast('simulate', 'examples/reference-vm-1g.json');
    expect(code).toBe(0);
    const result = SimulationResultSchema.parse(JSON.parse(stdout));
    // Ground-truth run 03 peaked at 662 MiB.
    expect(result.summary.cowPeakBytes / 2 ** 20).toBeGreaterThan(630);
    expect(result.summary.cowPeakBytes / 2 ** 20).toBeLessThan(700);
  });

  it('prints the series as CSV and honours --mode', async () => {
    const { code, stdout } = await forkcast('simulate', 'examples/session-store-zipf.json', '--format', 'csv', '--mode', 'expected');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('tSec,copiedPages,cowBytes,parentRssBytes,childPrivateBytes,hostMemoryBytes,writes,forkPerc,faultStallMs,replicationBufferBytes,aofRewriteBufferBytes,pageCacheBytes');
    expect(lines.length).toBeGreaterThan(100);
    expect(lines[1]!.split(',').map(Number).every(Number.isFinite)).toBe(true);
  });

  it('rejects a bad scenario with the field and the reason, exit code 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'forkcast-cli-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ dataset: { keys: 1e12, valueBytes: '3 parsecs' }, workload: { writesPerSec: -1 } }));
    const { code, stderr, stdout } = await forkcast('simulate', file);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/dataset\.keys: .*10000000000/);
    expect(stderr).toMatch(/dataset\.valueBytes: .*"3 parsecs"/);
    expect(stderr).toMatch(/workload\.writesPerSec/);
  });

  it('reports unreadable files and invalid JSON', async () => {
    expect((await forkcast('simulate', '/nonexistent.json')).stderr).toMatch(/cannot read/);
    const dir = mkdtempSync(join(tmpdir(), 'forkcast-cli-'));
    writeFileSync(join(dir, 'x.json'), '{ nope');
    const bad = await forkcast('simulate', join(dir, 'x.json'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not valid JSON/);
  });
});
