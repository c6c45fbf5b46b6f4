// The host's transparent-huge-page switch (/sys/kernel/mm/transparent_hugepage/enabled).
// A THP scenario sets it to `always` for its run — Redis ≥ 6.2 then needs `disable-thp no`,
// or it opts itself out with prctl(PR_SET_THP_DISABLE) (MODEL.md §4) — and the value found
// is written back on every way out: normal end, error, signal, process exit.
import { readFileSync, writeFileSync } from 'node:fs';
import type { CleanupStack } from './cleanup.js';

export const THP_ENABLED_PATH = '/sys/kernel/mm/transparent_hugepage/enabled';

export type ThpMode = 'always' | 'madvise' | 'never';

/** The bracketed choice of `always [madvise] never` (or a lone word, as written). */
export function parseThpSetting(text: string): ThpMode {
  const mode = /\[(\w+)\]/.exec(text)?.[1] ?? text.trim();
  if (mode !== 'always' && mode !== 'madvise' && mode !== 'never') throw new Error(`unrecognised THP setting: ${text.trim()}`);
  return mode;
}

export function readThp(path = THP_ENABLED_PATH): ThpMode {
  return parseThpSetting(readFileSync(path, 'utf8'));
}

export function writeThp(mode: ThpMode, path = THP_ENABLED_PATH): void {
  writeFileSync(path, mode);
  const now = readThp(path);
  if (now !== mode) throw new Error(`${path} reads ${now} after writing ${mode}`);
}

/**
 * Sets the switch to `mode` and registers the restore of the value found with `cleanup`.
 * Returns the value found.
 */
export function setThpFor(mode: ThpMode, cleanup: CleanupStack, path = THP_ENABLED_PATH): ThpMode {
  const found = readThp(path);
  if (found === mode) return found;
  const restore = () => {
    if (readThp(path) !== found) writeThp(found, path);
  };
  // Registered before the write, so that a failure half way still restores.
  cleanup.add(`restore ${path} to ${found}`, async () => restore(), restore);
  writeThp(mode, path);
  return found;
}
