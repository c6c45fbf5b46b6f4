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

  it('prints the series as CSV after the summary as # comment lines, and honours --mode', async () => {
    const { code, stdout } = await forkcast('simulate', 'examples/session-store-zipf.json', '--format', 'csv', '--mode', 'expected');
    expect(code).toBe(0);
    const json = SimulationResultSchema.parse(JSON.parse((await forkcast('simulate', 'examples/session-store-zipf.json', '--mode', 'expected')).stdout));
    const all = stdout.trim().split('\n');
    const comments = all.filter((l) => l.startsWith('#'));
    expect(all.slice(0, comments.length)).toEqual(comments);
    expect(comments[0]).toBe(`# forkcast ${json.summary.trigger}: ${json.summary.verdict.text}`);
    expect(comments.filter((l) => l.startsWith('# warning '))).toHaveLength(json.summary.warnings.length);
    expect(comments.filter((l) => l.startsWith('# advice '))).toHaveLength(json.summary.advice.length);
    const lines = all.slice(comments.length);
    expect(lines).toHaveLength(json.series.tSec.length + 1);
    expect(lines[0]).toBe('tSec,copiedPages,cowBytes,parentRssBytes,childPrivateBytes,hostMemoryBytes,writes,forkPerc,faultStallMs,replicationBufferBytes,aofRewriteBufferBytes,pageCacheBytes');
    expect(lines.length).toBeGreaterThan(100);
    expect(lines[1]!.split(',').map(Number).every(Number.isFinite)).toBe(true);
  });

  it('prints the verdict, warnings and advice for a person on stderr with --human, not by default off a terminal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'forkcast-cli-'));
    const file = join(dir, 'thp.json');
    writeFileSync(
      file,
      JSON.stringify({ name: 'thp asked', dataset: { usedMemoryBytes: '4GiB', valueBytes: 100 }, workload: { writesPerSec: 8000 }, kernel: { thp: 'always' }, host: { memoryBytes: '5GiB' } }),
    );
    const quiet = await forkcast('simulate', file);
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
    const { code, stdout, stderr } = await forkcast('simulate', file, '--human');
    expect(code).toBe(0);
    const { summary } = SimulationResultSchema.parse(JSON.parse(stdout));
    const lines = stderr.trimEnd().split('\n');
    expect(lines[0]).toBe('thp asked: bgsave of 4.0 GiB used_memory, Redis 7.0, kvm, THP off, expected mode');
    expect(lines[1]).toBe(`  ${summary.verdict.text}`);
    expect(lines[2]).toMatch(new RegExp(`^  fork [\\d.]+ ms, child ${summary.rdbBgsaveTimeSec.toFixed(1)} s, peak CoW [\\d.]+ GiB`));
    expect(lines).toContain(`  warning THP_DISABLED_BY_REDIS: ${summary.warnings[0]!.message}`);
    expect(lines.filter((l) => l.startsWith('  advice '))).toEqual(summary.advice.map((a, i) => `  advice ${i + 1}: ${a.text}`));
    expect((await forkcast('simulate', file, '--no-human')).stderr).toBe('');
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

  it('inspect --info-file drafts a scenario that simulate runs as is, and shows the last save beside its forecast', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'forkcast-cli-'));
    const out = join(dir, 'scenario.json');
    const inspected = await forkcast('inspect', '--info-file', 'test/fixtures/inspect/info-after.txt', '--out', out);
    expect(inspected.code).toBe(0);
    expect(inspected.stdout).toMatch(/Last save: forecast vs reported/);
    // The fixture's save: rdb_last_cow_size 770,048 B, latest_fork_usec 721.
    expect(inspected.stdout).toMatch(/rdb_last_cow_size +forecast [\d.]+ [KM]iB +reported 752\.00 KiB/);
    expect(inspected.stdout).toMatch(/latest_fork_usec +forecast \d+ µs +reported 721 µs/);
    expect(inspected.stdout).toMatch(/workload\.keyDistribution: the write skew cannot be seen/);
    const simulated = await forkcast('simulate', out);
    expect(simulated.code).toBe(0);
    expect(SimulationResultSchema.parse(JSON.parse(simulated.stdout)).summary.keys).toBe(20_902);
  });

  it('inspect refuses a text that is not INFO, and an unreachable instance, in words', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'forkcast-cli-'));
    writeFileSync(join(dir, 'x.txt'), 'hello');
    const junk = await forkcast('inspect', '--info-file', join(dir, 'x.txt'));
    expect(junk.code).toBe(2);
    expect(junk.stderr).toMatch(/neither redis_version nor used_memory.*INFO_UNRECOGNISED/);
    // Port 1 on loopback: nothing listens there.
    const down = await forkcast('inspect', 'redis://user:secret@127.0.0.1:1', '--observe', '0');
    expect(down.code).toBe(2);
    expect(down.stderr).toMatch(/cannot connect to 127\.0\.0\.1:1/);
    expect(down.stderr).not.toMatch(/secret/);
    expect((await forkcast('inspect', 'redis://127.0.0.1:1', '--sample', '0')).stderr).toMatch(/expected an integer from 1 to 100000/);
  });
});
