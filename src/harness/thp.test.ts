// The switch is exercised on a stand-in file: tests never touch the host's THP setting.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CleanupStack } from './cleanup.js';
import { parseThpSetting, setThpFor } from './thp.js';

const dirs: string[] = [];
function fakeSwitch(content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'forkcast-thp-test-'));
  dirs.push(dir);
  const path = join(dir, 'enabled');
  writeFileSync(path, content);
  return path;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('THP switch', () => {
  it('reads the bracketed choice', () => {
    expect(parseThpSetting('always [madvise] never\n')).toBe('madvise');
    expect(parseThpSetting('[always] madvise never')).toBe('always');
    expect(parseThpSetting('never\n')).toBe('never');
    expect(() => parseThpSetting('always madvise never')).toThrow();
  });

  it('sets always for the run and restores the value found on cleanup', async () => {
    const path = fakeSwitch('always [madvise] never\n');
    const cleanup = new CleanupStack();
    expect(setThpFor('always', cleanup, path)).toBe('madvise');
    expect(readFileSync(path, 'utf8')).toBe('always');
    await cleanup.runAll();
    expect(readFileSync(path, 'utf8')).toBe('madvise');
  });

  it('restores in the synchronous exit path too', () => {
    const path = fakeSwitch('always madvise [never]');
    const cleanup = new CleanupStack();
    setThpFor('always', cleanup, path);
    cleanup.runAllSync();
    expect(readFileSync(path, 'utf8')).toBe('never');
  });

  it('changes nothing when the switch already says always', async () => {
    const path = fakeSwitch('[always] madvise never');
    const cleanup = new CleanupStack();
    setThpFor('always', cleanup, path);
    expect(cleanup.pending).toBe(0);
    expect(readFileSync(path, 'utf8')).toBe('[always] madvise never');
  });
});
