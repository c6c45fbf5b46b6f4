import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { forecast } from '../../src/advice/forecast.js';
import { createResultStore, type ResultStore } from '../../src/queue/result-store.js';
import { InvalidCursorError } from '../../src/service/errors.js';
import { deleteKeys, quickScenario, randomPrefix, REDIS_URL } from './support.js';

const TTL_SEC = 3600;

let prefix: string;
let redis: Redis;
let store: ResultStore;

beforeEach(() => {
  prefix = randomPrefix();
  redis = new Redis(REDIS_URL);
  store = createResultStore({ redis, prefix, resultTtlSec: TTL_SEC });
});

afterEach(async () => {
  redis.disconnect();
  await deleteKeys(prefix);
});

describe('result store', () => {
  it('claims once, then hands back the live record', async () => {
    const first = await store.claim('sim-aaaaaaaa', quickScenario());
    expect(first).toMatchObject({ created: true, previousStatus: undefined, record: { id: 'sim-aaaaaaaa', status: 'queued', progress: 0, finishedAt: null } });
    const second = await store.claim('sim-aaaaaaaa', quickScenario());
    expect(second).toMatchObject({ created: false, previousStatus: 'queued' });
    const ttl = await redis.ttl(store.keys.record('sim-aaaaaaaa'));
    expect(ttl).toBeGreaterThan(TTL_SEC - 5);
    expect(ttl).toBeLessThanOrEqual(TTL_SEC);
  });

  it('re-queues failed and cancelled records, and completed ones whose result expired', async () => {
    for (const end of ['failed', 'cancelled', 'completed'] as const) {
      const id = `sim-${end}`;
      await store.claim(id, quickScenario());
      await store.markRunning(id, 1);
      if (end === 'failed') await store.markFailed(id, { code: 'X', message: 'boom' });
      if (end === 'cancelled') await store.markCancelled(id);
      if (end === 'completed') {
        await store.complete(id, forecast(quickScenario()));
        expect((await store.claim(id, quickScenario())).created).toBe(false);
        await redis.del(store.keys.result(id));
      }
      const again = await store.claim(id, quickScenario());
      expect(again).toMatchObject({ created: true, previousStatus: end, record: { status: 'queued', progress: 0 } });
      expect(again.record.error).toBeUndefined();
      expect(again.record.summary).toBeUndefined();
    }
  });

  it('moves records only forward', async () => {
    const id = 'sim-forward';
    await store.claim(id, quickScenario());
    expect(await store.markProgress(id, 0.5)).toBe(false); // not running yet
    expect(await store.markRunning(id, 1)).toBe(true);
    expect(await store.markProgress(id, 0.5)).toBe(true);
    expect((await store.get(id))?.progress).toBe(0.5);
    const result = forecast(quickScenario());
    await store.complete(id, result);
    expect(await store.markRunning(id, 2)).toBe(false);
    expect(await store.markFailed(id, { code: 'X', message: 'late' })).toBe(false);
    expect(await store.markCancelled(id)).toBe(false);
    const record = await store.get(id);
    expect(record).toMatchObject({ status: 'completed', progress: 1, summary: { cowPeakBytes: result.summary.cowPeakBytes } });
    expect(record?.finishedAt).not.toBeNull();
    expect(await store.result(id)).toEqual(result);
    const resultTtl = await redis.ttl(store.keys.result(id));
    expect(resultTtl).toBeGreaterThan(TTL_SEC - 5);
    expect(resultTtl).toBeLessThanOrEqual(TTL_SEC);
  });

  it('publishes every change', async () => {
    const subscriber = new Redis(REDIS_URL);
    const messages: unknown[] = [];
    subscriber.on('message', (_channel: string, message: string) => messages.push(JSON.parse(message)));
    await subscriber.subscribe(store.keys.events);
    await store.claim('sim-events', quickScenario());
    await store.markRunning('sim-events', 1);
    await store.markProgress('sim-events', 0.25);
    await new Promise((resolve) => setTimeout(resolve, 100));
    subscriber.disconnect();
    expect(messages).toEqual([
      { id: 'sim-events', type: 'status' },
      { id: 'sim-events', type: 'status' },
      { id: 'sim-events', type: 'progress' },
    ]);
  });

  it('lists newest first, page by page, without repeats or gaps', async () => {
    // Claims in a burst share milliseconds: the cursor must break ties by id.
    const ids = Array.from({ length: 23 }, (_, i) => `sim-${String(i).padStart(8, '0')}`);
    for (const id of ids) await store.claim(id, quickScenario());
    const seen: string[] = [];
    const createdAt: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await store.list(10, cursor);
      pages++;
      expect(page.items.length).toBeLessThanOrEqual(10);
      seen.push(...page.items.map((r) => r.id));
      createdAt.push(...page.items.map((r) => r.createdAt));
      cursor = page.nextCursor ?? undefined;
      if (cursor) expect(cursor.length).toBeLessThan(100);
    } while (cursor);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(23);
    expect([...seen].sort()).toEqual(ids);
    expect([...createdAt].sort().reverse()).toEqual(createdAt);
  });

  it('skips and forgets records that expired', async () => {
    for (const id of ['sim-keep0001', 'sim-gone0001', 'sim-keep0002']) await store.claim(id, quickScenario());
    await redis.del(store.keys.record('sim-gone0001'));
    const page = await store.list(10);
    expect(page.items.map((r) => r.id).sort()).toEqual(['sim-keep0001', 'sim-keep0002']);
    expect(await redis.zscore(store.keys.index, 'sim-gone0001')).toBeNull();
  });

  it('stores and returns no URLs, and ignores any a record written by an older version holds', async () => {
    const id = 'sim-nolinks1';
    await store.claim(id, quickScenario());
    await store.markRunning(id, 1);
    await store.complete(id, forecast(quickScenario()));
    const hash = await redis.hgetall(store.keys.record(id));
    expect(Object.keys(hash).sort()).toEqual(['attempts', 'createdAt', 'finishedAt', 'id', 'progress', 'scenario', 'startedAt', 'status', 'summary']);
    for (const value of Object.values(hash)) expect(value).not.toContain('/simulations/');
    const record = await store.get(id);
    expect(record).not.toHaveProperty('links');
    expect(record).toMatchObject({ id, status: 'completed', progress: 1 });

    await redis.hset(store.keys.record(id), 'links', JSON.stringify({ self: `/v0/simulations/${id}` }));
    expect(await store.get(id)).toEqual(record);
    expect((await store.list(10)).items).toEqual([record]);
  });

  it('rejects a cursor it did not issue', async () => {
    await expect(store.list(10, 'not-a-cursor')).rejects.toBeInstanceOf(InvalidCursorError);
  });
});
