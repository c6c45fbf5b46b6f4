// The settings CONFIG GET reads, by their 7.0 names, with the 6.2 names of the encoding
// thresholds (7.0 keeps them as aliases, `src/config.c`), and the parsing of the two that hold
// several values: `save` ("3600 1 300 100") and `client-output-buffer-limit`.
import { DEFAULT_ENCODING_CONFIG } from '../engine/encodings.js';

/** What `forkcast inspect` asks CONFIG GET for: the settings a scenario field or a note reads. */
export const CONFIG_SETTINGS = [
  'save',
  'appendonly',
  'aof-use-rdb-preamble',
  'repl-diskless-sync',
  'repl-diskless-sync-delay',
  'repl-backlog-size',
  'client-output-buffer-limit',
  'hash-max-listpack-entries',
  'hash-max-listpack-value',
  'set-max-intset-entries',
  'zset-max-listpack-entries',
  'zset-max-listpack-value',
  'list-max-listpack-size',
  'maxmemory',
  'maxmemory-policy',
  'rdb-save-incremental-fsync',
  'disable-thp',
  'hz',
] as const;

export type EncodingSetting =
  | 'hash-max-listpack-entries'
  | 'hash-max-listpack-value'
  | 'set-max-intset-entries'
  | 'zset-max-listpack-entries'
  | 'zset-max-listpack-value'
  | 'list-max-listpack-size';

/** Redis 6.2 spells the listpack thresholds with "ziplist" (7.0 answers both). */
export const LEGACY_NAMES: Partial<Record<EncodingSetting, string>> = {
  'hash-max-listpack-entries': 'hash-max-ziplist-entries',
  'hash-max-listpack-value': 'hash-max-ziplist-value',
  'zset-max-listpack-entries': 'zset-max-ziplist-entries',
  'zset-max-listpack-value': 'zset-max-ziplist-value',
  'list-max-listpack-size': 'list-max-ziplist-size',
};

/** The compiled-in defaults of 6.2.16 and 7.0.15 (`src/config.c`; the same in both): the engine's. */
export const ENCODING_DEFAULTS: Record<EncodingSetting, number> = DEFAULT_ENCODING_CONFIG;

/** CONFIG GET's answers by name, or why there are none. */
export type ConfigReading = { values: Record<string, string> } | { refused: string };

/** A setting's value under its name or its 6.2 alias. */
export function configValue(config: Record<string, string>, name: string): string | undefined {
  return config[name] ?? (LEGACY_NAMES[name as EncodingSetting] !== undefined ? config[LEGACY_NAMES[name as EncodingSetting]!] : undefined);
}

export interface SaveRule {
  seconds: number;
  changes: number;
}

/** `save` as CONFIG GET answers it: "3600 1 300 100 60 10000", or "" for none. */
export function parseSaveRules(value: string): SaveRule[] | undefined {
  const parts = value.trim() === '' ? [] : value.trim().split(/\s+/).map(Number);
  if (parts.length % 2 !== 0 || parts.some((n) => !Number.isInteger(n) || n < 0)) return undefined;
  const rules: SaveRule[] = [];
  for (let i = 0; i < parts.length; i += 2) rules.push({ seconds: parts[i]!, changes: parts[i + 1]! });
  return rules;
}

/**
 * Seconds between saves under a steady `changesPerSec`: serverCron saves once a rule's seconds
 * have passed since the last save with at least its changes made (`src/server.c`, saveparams).
 * Undefined when no rule ever fires.
 */
export function saveIntervalSec(rules: readonly SaveRule[], changesPerSec: number): number | undefined {
  if (!(changesPerSec > 0)) return undefined;
  const intervals = rules.map((r) => Math.max(r.seconds, r.changes / changesPerSec));
  return intervals.length > 0 ? Math.min(...intervals) : undefined;
}

export interface OutputBufferLimit {
  hardBytes: number;
  softBytes: number;
  softSec: number;
}

/** The replica class of `client-output-buffer-limit` ("… replica 268435456 67108864 60 …"; 6.2 says "slave"). */
export function parseReplicaOutputBufferLimit(value: string): OutputBufferLimit | undefined {
  const parts = value.trim().split(/\s+/);
  for (let i = 0; i + 3 < parts.length; i += 4) {
    if (parts[i] !== 'replica' && parts[i] !== 'slave') continue;
    const [hardBytes, softBytes, softSec] = parts.slice(i + 1, i + 4).map(Number);
    if ([hardBytes, softBytes, softSec].every((n) => Number.isInteger(n) && n! >= 0)) return { hardBytes: hardBytes!, softBytes: softBytes!, softSec: softSec! };
  }
  return undefined;
}

/** yes/no settings. */
export function parseYesNo(value: string | undefined): boolean | undefined {
  if (value === 'yes') return true;
  if (value === 'no') return false;
  return undefined;
}
