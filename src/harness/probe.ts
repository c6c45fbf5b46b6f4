// Probe saves that measure how long the child takes per key, with and without
// rdb-key-save-delay, so the measured save can be stretched to the scenario's length (as the
// ground truth's harness did). Progress is read off the growth of the child's temp RDB file:
// INFO current_save_keys_processed is useless for this, since the child sends it at most once a
// second and the parent reads it once a second (src/rdb.c, src/server.c), so under load it lags
// the child by seconds. Keys of a DEBUG POPULATE fill serialize to the same size, so bytes per
// key come from DUMPing a few of them.
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { round } from '../engine/numbers.js';
import { fileBytes } from './files.js';
import { abortForkChild, findForkChild } from './fork-child.js';
import { infoNumber, parseInfo } from './redis-info.js';
import type { RedisServer } from './redis-server.js';
import { planDelay, type DelayPlan, type SaveProbe } from './save-delay.js';

const POLL_MS = 25;
/** Skip the first moments of a probe: fork, and the RDB header. */
const SETTLE_MS = 200;
const DUMP_SAMPLE_KEYS = 16;
/** DUMP payload = value serialization + 2-byte RDB version + 8-byte CRC64 (src/cluster.c). */
const DUMP_FOOTER_BYTES = 10;


/**
 * RDB bytes per key: the type byte, the length-prefixed key name, and the value as DUMP
 * serializes it, averaged over random keys.
 */
export async function rdbBytesPerKey(redis: Redis, sample = DUMP_SAMPLE_KEYS): Promise<number> {
  const keys: string[] = [];
  for (let i = 0; i < sample; i++) {
    const key = await redis.randomkey();
    if (key === null) break;
    keys.push(key);
  }
  return rdbBytesOfKeys(redis, keys);
}

/**
 * The same over a dataset of segments: a few keys of each, weighted by its key count, since 16
 * random keys of a dataset mostly of small strings say little of its few large aggregates.
 */
export async function segmentRdbBytesPerKey(redis: Redis, segments: ReadonlyArray<{ prefix: string; keys: number }>, sample = DUMP_SAMPLE_KEYS): Promise<number> {
  let total = 0;
  let keys = 0;
  for (const s of segments) {
    const picks = Array.from({ length: Math.min(sample, s.keys) }, (_, i) => `${s.prefix}:${Math.floor(((i + 0.5) * s.keys) / Math.min(sample, s.keys))}`);
    total += s.keys * (await rdbBytesOfKeys(redis, picks));
    keys += s.keys;
  }
  return total / keys;
}

async function rdbBytesOfKeys(redis: Redis, keys: readonly string[]): Promise<number> {
  let total = 0;
  let n = 0;
  for (const key of keys) {
    const payload = await redis.dumpBuffer(key);
    if (payload === null) continue;
    const keyBytes = Buffer.byteLength(key);
    total += 1 + (keyBytes < 64 ? 1 : keyBytes < 16384 ? 2 : 5) + keyBytes + payload.length - DUMP_FOOTER_BYTES;
    n++;
  }
  if (n === 0) throw new Error('no keys to sample for RDB bytes per key');
  return total / n;
}

export async function waitForSaveEnd(redis: Redis, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (infoNumber(parseInfo(await redis.info('persistence')), 'rdb_bgsave_in_progress') !== 0) {
    if (Date.now() > deadline) throw new Error(`BGSAVE still in progress after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

export interface ProbeOptions {
  keys: number;
  bytesPerKey: number;
  delay: number;
  maxSec: number;
}

export async function probeSave(redis: Redis, server: RedisServer, { keys, bytesPerKey, delay, maxSec }: ProbeOptions): Promise<SaveProbe> {
  await redis.config('SET', 'rdb-key-save-delay', String(delay));
  const sent = performance.now();
  await redis.bgsave();
  const child = await findForkChild(server);
  const tempFile = join(server.dir, `temp-${child}.rdb`);
  const points: Array<{ at: number; bytes: number }> = [];
  let finishedAt: number | undefined;
  while (performance.now() - sent < maxSec * 1000) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    const bytes = fileBytes(tempFile);
    const now = performance.now();
    if (bytes === null) {
      // Renamed to dump.rdb: the save is done.
      finishedAt = now;
      break;
    }
    if (now - sent >= SETTLE_MS) points.push({ at: now, bytes });
  }
  if (finishedAt === undefined) abortForkChild(server, child);
  await waitForSaveEnd(redis);
  await redis.config('SET', 'rdb-key-save-delay', '0');

  if (finishedAt !== undefined) {
    return { delay, per_key_us: round(((finishedAt - sent) * 1000) / keys, 3), finished: true };
  }
  const first = points[0];
  const last = points.at(-1);
  if (!first || !last || last.bytes <= first.bytes) {
    throw new Error(`probe save with rdb-key-save-delay ${delay} wrote nothing measurable within ${maxSec} s`);
  }
  const keysSeen = (last.bytes - first.bytes) / bytesPerKey;
  return { delay, per_key_us: round(((last.at - first.at) * 1000) / keysSeen, 3), finished: false };
}


/**
 * Stretches every later save of `keys` keys to about `targetSec`: a save without delay gives
 * the per-key cost, a short one with the first planned delay corrects the delay's own cost,
 * and rdb-key-save-delay is set to the plan.
 */
export async function stretchSaves(
  redis: Redis,
  server: RedisServer,
  keys: number,
  targetSec: number,
): Promise<{ bytesPerKey: number; probes: SaveProbe[]; plan: DelayPlan }> {
  const bytesPerKey = await rdbBytesPerKey(redis);
  const base = await probeSave(redis, server, { keys, bytesPerKey, delay: 0, maxSec: 30 });
  const probes = [base];
  const first = planDelay(keys, targetSec, probes);
  if (first.delay !== 0) probes.push(await probeSave(redis, server, { keys, bytesPerKey, delay: first.delay, maxSec: 3 }));
  const plan = planDelay(keys, targetSec, probes);
  await redis.config('SET', 'rdb-key-save-delay', String(plan.delay));
  return { bytesPerKey, probes, plan };
}
