// INFO's `field:value` text as a record: numbers where the value is numeric, strings otherwise
// (redis-doc commands/info.md). The keyspace lines (`db0:keys=…`) stay strings. CONFIG GET's flat
// name/value list likewise.
import type { Redis } from 'ioredis';

export type RedisInfo = Record<string, number | string>;

export function parseInfo(text: string): RedisInfo {
  const info: RedisInfo = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const value = line.slice(colon + 1);
    info[line.slice(0, colon)] = /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
  }
  return info;
}

/** A numeric INFO field, or null when absent or not a number. */
export function infoNumber(info: RedisInfo, field: string): number | null {
  const value = info[field];
  return typeof value === 'number' ? value : null;
}

/** CONFIG GET of each name (a pattern may match several), as one record of setting → value. */
export async function configGet(redis: Redis, names: readonly string[]): Promise<Record<string, string>> {
  const config: Record<string, string> = {};
  for (const name of names) {
    const pair = (await redis.config('GET', name)) as string[];
    for (let i = 0; i + 1 < pair.length; i += 2) config[pair[i]!] = pair[i + 1]!;
  }
  return config;
}
