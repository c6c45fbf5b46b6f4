// Sizes of the files a save writes (the temp RDB while the child works, dump.rdb after).
import { statSync } from 'node:fs';

/** Bytes in the file, or null when it does not exist (yet, or any more). */
export function fileBytes(path: string): number | null {
  try {
    return statSync(path).size;
  } catch {
    return null;
  }
}
