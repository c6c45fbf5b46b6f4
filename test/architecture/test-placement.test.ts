// Where tests live: a test beside the code tests that code alone; one that needs the measured
// fixtures, the shared test doubles or a spawned process lives under test/.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** What marks a test as one for test/: fixtures, test/support, a spawned process. */
const NEEDS_TEST_FOLDER = [/test\/fixtures|\.\/fixtures\//, /test\/support|\.\.\/support\//, /node:child_process/];

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('test placement', () => {
  it('no test beside the code reads fixtures, the shared test doubles or spawns a process', () => {
    const misplaced = testFiles(join(ROOT, 'src')).filter((file) => {
      const text = readFileSync(file, 'utf8');
      return NEEDS_TEST_FOLDER.some((pattern) => pattern.test(text));
    });
    expect(misplaced.map((file) => relative(ROOT, file))).toEqual([]);
  });

  it('recognises each mark', () => {
    const marked = [
      "readFileSync(new URL('../../test/fixtures/x.txt', import.meta.url))",
      "import { memoryService } from '../support/in-memory-service.js';",
      "import { spawn } from 'node:child_process';",
    ];
    expect(marked.map((text) => NEEDS_TEST_FOLDER.some((pattern) => pattern.test(text)))).toEqual([true, true, true]);
    expect(NEEDS_TEST_FOLDER.some((pattern) => pattern.test("import { simulate } from './simulate.js';"))).toBe(false);
  });
});
