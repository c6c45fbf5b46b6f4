// Filling the server: DEBUG POPULATE makes keys key:0 … key:N-1 with values of the scenario's
// size (zero-filled after a "value:N" prefix, src/debug.c) in one blocking command. Induced
// fragmentation fills fill_factor × N keys and deletes each with probability 1 − 1/fill_factor,
// leaving ~N keys spread over fill_factor × as many slab regions (MODEL.md §3).
import type { Redis } from 'ioredis';
import { keysForUsedMemory } from '../engine/layout.js';
import { round } from '../engine/numbers.js';
import { Rng } from '../engine/rng.js';
import { keyBytesFor } from '../measured-run/schema.js';
import { infoNumber, parseInfo } from './redis-info.js';
import type { SegmentFillRecord } from './segment-fill.js';

const DELETE_BATCH = 10_000;

/** Keys of `valueBytes` that make `datasetMib` of used_memory, by the engine's layout. */
export function keysForDataset(datasetMib: number, valueBytes: number): number {
  let keyBytes = 8;
  let keys = 1;
  for (let round = 0; round < 4; round++) {
    keys = keysForUsedMemory(datasetMib * 2 ** 20, keyBytes, valueBytes);
    keyBytes = keyBytesFor(keys);
  }
  return keys;
}

/** Key numbers that survive the deletion, in key order (deterministic for a seed). */
export function survivingKeys(populated: number, fillFactor: number, seed: number): Uint32Array {
  const rng = new Rng(seed);
  const deleteShare = 1 - 1 / fillFactor;
  const kept: number[] = [];
  for (let key = 0; key < populated; key++) if (rng.next() >= deleteShare) kept.push(key);
  return Uint32Array.from(kept);
}

export interface FillRecord {
  keys: number;
  key_bytes: number;
  keys_populated: number;
  keys_deleted: number;
  bytes_per_key_estimate: number;
  seconds: number;
  populate_seconds: number;
  delete_seconds: number;
  used_memory: number | null;
  used_memory_rss: number | null;
  mem_fragmentation_ratio: number | null;
  allocator_frag_ratio: number | null;
  /** A fill by segments (src/harness/segment-fill.ts). */
  segments?: SegmentFillRecord[];
}

export interface FillResult {
  record: FillRecord;
  /** Keys named key:0 … key:keySpace-1 were populated. */
  keySpace: number;
  /** Key numbers still present when fragmentation deleted some. */
  survivors: Uint32Array | undefined;
}

export interface FillOptions {
  keys: number;
  valueBytes: number;
  /**
   * `history`: how the share 1 − 1/fill_factor goes: `delete` (DEL, the default) or `expire`
   * (PEXPIRE 1 ms, then active expiry and a SCAN that removes what it left: src/expire.c).
   */
  fragmentation: { induce: boolean; fill_factor: number; history?: 'delete' | 'expire' };
  seed: number;
  /** Bytes per key the scenario was sized with, for the record. */
  bytesPerKeyEstimate: number;
}

export async function fillDataset(redis: Redis, options: FillOptions): Promise<FillResult> {
  const started = performance.now();
  const induce = options.fragmentation.induce;
  const populated = induce ? Math.round(options.keys * options.fragmentation.fill_factor) : options.keys;
  await redis.call('DEBUG', 'POPULATE', String(populated), 'key', String(options.valueBytes));
  const populateSec = (performance.now() - started) / 1000;

  let survivors: Uint32Array | undefined;
  let deleteSec = 0;
  if (induce) {
    const deleteStarted = performance.now();
    survivors = survivingKeys(populated, options.fragmentation.fill_factor, options.seed);
    let next = 0;
    let batch: string[] = [];
    const expire = options.fragmentation.history === 'expire';
    const flush = async () => {
      if (batch.length > 0 && !expire) await redis.call('DEL', ...batch);
      if (batch.length > 0 && expire) {
        const pipeline = redis.pipeline();
        for (const key of batch) pipeline.pexpire(key, 1);
        await pipeline.exec();
      }
      batch = [];
    };
    for (let key = 0; key < populated; key++) {
      if (next < survivors.length && survivors[next] === key) {
        next++;
        continue;
      }
      batch.push(`key:${key}`);
      if (batch.length === DELETE_BATCH) await flush();
    }
    await flush();
    if (expire) await waitForExpiry(redis, survivors.length);
    deleteSec = (performance.now() - deleteStarted) / 1000;
  }

  const info = parseInfo(await redis.info('memory'));
  const keys = survivors?.length ?? populated;
  return {
    keySpace: populated,
    survivors,
    record: {
      keys,
      key_bytes: keyBytesFor(populated),
      keys_populated: populated,
      keys_deleted: populated - keys,
      bytes_per_key_estimate: round(options.bytesPerKeyEstimate, 1),
      seconds: round((performance.now() - started) / 1000, 2),
      populate_seconds: round(populateSec, 2),
      delete_seconds: round(deleteSec, 2),
      used_memory: infoNumber(info, 'used_memory'),
      used_memory_rss: infoNumber(info, 'used_memory_rss'),
      mem_fragmentation_ratio: infoNumber(info, 'mem_fragmentation_ratio'),
      allocator_frag_ratio: infoNumber(info, 'allocator_frag_ratio'),
    },
  };
}


/** How long active expiry gets on its own before a SCAN removes the expired keys it left. */
const ACTIVE_EXPIRY_WAIT_MS = 10_000;

async function waitForExpiry(redis: Redis, survivors: number): Promise<void> {
  const deadline = performance.now() + ACTIVE_EXPIRY_WAIT_MS;
  while (performance.now() < deadline && (await redis.dbsize()) > survivors) await new Promise((r) => setTimeout(r, 100));
  // Active expiry stops a database's cycle once under 10% of its samples are stale; SCAN
  // expires every key it visits (src/db.c scanGenericCommand).
  let cursor = '0';
  do {
    [cursor] = await redis.scan(cursor, 'COUNT', 10_000);
  } while (cursor !== '0');
  const left = await redis.dbsize();
  if (left !== survivors) throw new Error(`expiry left ${left} keys, expected ${survivors}`);
}

/**
 * DEBUG POPULATE of `datasetMib` of strings, saved without compression: its zero-filled values
 * compress ~30:1 under LZF, which real data does not, so uncompressed the RDB is as large as the
 * data it holds. For the probes that measure a save's file (sync, cgroup).
 */
export async function fillUncompressed(redis: Redis, datasetMib: number, valueBytes: number, log: (line: string) => void): Promise<{ keys: number; fill: FillResult }> {
  const keys = keysForDataset(datasetMib, valueBytes);
  const fill = await fillDataset(redis, {
    keys,
    valueBytes,
    fragmentation: { induce: false, fill_factor: 1 },
    seed: 1,
    bytesPerKeyEstimate: (datasetMib * 2 ** 20) / keys,
  });
  log(`filled ${fill.record.keys} keys, used_memory ${fill.record.used_memory}`);
  await redis.config('SET', 'rdbcompression', 'no');
  return { keys, fill };
}
