// Probe saves that measure how long the child takes per key, with and without
// rdb-key-save-delay, so the measured save can be stretched to the scenario's length (as the
// ground truth's harness did). Progress comes from INFO current_save_keys_processed, which the
// child reports about once a second (src/rdb.c rdbSaveRio); a probe that is not done within
// its time is ended early.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { abortForkChild, findForkChild } from './fork-child.js';
import type { RedisServer } from './redis-server.js';
import { infoNumber, parseInfo } from './redis-info.js';
import type { SaveProbe } from './save-delay.js';

const POLL_MS = 25;
/** Two progress reports this far apart give the rate; the child reports once a second. */
const MIN_SPAN_MS = 900;

export interface ProbeOutcome extends SaveProbe {
  /** RDB bytes per key, from the file the probe wrote. */
  rdbBytesPerKey: number | null;
}

function fileBytes(path: string): number | null {
  try {
    return statSync(path).size;
  } catch {
    return null;
  }
}

export async function waitForSaveEnd(redis: Redis, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (infoNumber(parseInfo(await redis.info('persistence')), 'rdb_bgsave_in_progress') !== 0) {
    if (Date.now() > deadline) throw new Error(`BGSAVE still in progress after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

export async function probeSave(redis: Redis, server: RedisServer, keys: number, delay: number, maxSec: number): Promise<ProbeOutcome> {
  await redis.config('SET', 'rdb-key-save-delay', String(delay));
  const sent = performance.now();
  await redis.bgsave();
  const child = await findForkChild(server);
  const forkUsec = infoNumber(parseInfo(await redis.info('stats')), 'latest_fork_usec') ?? 0;
  const savingFrom = sent + forkUsec / 1000;
  const tempFile = join(server.dir, `temp-${child}.rdb`);
  const reports: Array<{ keys: number; at: number; rdbBytes: number | null }> = [];
  let finishedAt: number | undefined;
  while (performance.now() - sent < maxSec * 1000) {
    const info = parseInfo(await redis.info('persistence'));
    const now = performance.now();
    if (infoNumber(info, 'rdb_bgsave_in_progress') === 0) {
      finishedAt = now;
      break;
    }
    const processed = infoNumber(info, 'current_save_keys_processed') ?? 0;
    if (processed > 0 && processed !== reports.at(-1)?.keys) reports.push({ keys: processed, at: now, rdbBytes: fileBytes(tempFile) });
    const first = reports[0];
    const last = reports.at(-1);
    if (first && last && last.keys > first.keys && last.at - first.at >= MIN_SPAN_MS) break;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  if (finishedAt === undefined) {
    abortForkChild(server, child);
    await waitForSaveEnd(redis);
  }
  await redis.config('SET', 'rdb-key-save-delay', '0');

  if (finishedAt !== undefined) {
    const rdb = fileBytes(join(server.dir, 'dump.rdb'));
    return {
      delay,
      per_key_us: round(((finishedAt - savingFrom) * 1000) / keys, 3),
      finished: true,
      rdbBytesPerKey: rdb === null ? null : round(rdb / keys, 1),
    };
  }
  const first = reports[0];
  const last = reports.at(-1);
  if (!first || !last) throw new Error(`probe save with rdb-key-save-delay ${delay} reported no progress within ${maxSec} s`);
  const perKeyMs = last.keys > first.keys ? (last.at - first.at) / (last.keys - first.keys) : (last.at - savingFrom) / last.keys;
  return {
    delay,
    per_key_us: round(perKeyMs * 1000, 3),
    finished: false,
    rdbBytesPerKey: last.rdbBytes === null ? null : round(last.rdbBytes / last.keys, 1),
  };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
