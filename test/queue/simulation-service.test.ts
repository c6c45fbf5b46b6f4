// The service and an in-process worker pool against a real Redis: the path a simulation takes
// from submit to stored result, deduplication, cancellation and failures.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBullmqSimulationService } from '../../src/queue/bullmq-simulation-service.js';
import { QUEUE_NAME, storeKeys } from '../../src/queue/keys.js';
import { createWorkerPool, type FinishedRun, type WorkerPool } from '../../src/queue/worker-pool.js';
import { IdempotencyKeyReusedError } from '../../src/service/errors.js';
import type { SimulationEvent, SimulationService } from '../../src/service/simulation-service.js';
import { deleteKeys, longScenario, quickScenario, randomPrefix, REDIS_URL, scenario, until } from './support.js';

const TTL_SEC = 600;

describe('BullMQ simulation service with a worker pool', () => {
  const prefix = randomPrefix();
  const keys = storeKeys(prefix);
  let service: SimulationService;
  let pool: WorkerPool;
  let redis: Redis;
  let queue: Queue;
  const runs: FinishedRun[] = [];

  beforeAll(async () => {
    service = createBullmqSimulationService({ redisUrl: REDIS_URL, prefix, resultTtlSec: TTL_SEC });
    pool = createWorkerPool({ redisUrl: REDIS_URL, prefix, concurrency: 2, resultTtlSec: TTL_SEC, onRunFinished: (run) => runs.push(run) });
    await pool.waitUntilReady();
    redis = new Redis(REDIS_URL);
    queue = new Queue(QUEUE_NAME, { connection: redis, prefix });
  });

  afterAll(async () => {
    await pool.close(5000);
    await service.close();
    await queue.close();
    redis.disconnect();
    await deleteKeys(prefix);
  });

  it('runs a submitted scenario and stores the result under its own key with a TTL', async () => {
    const submitted = await service.submit(quickScenario(11));
    expect(submitted).toMatchObject({ created: true, record: { status: 'queued', progress: 0 } });
    const id = submitted.record.id;

    const done = await service.waitUntilFinished(id, 20_000);
    expect(done).toMatchObject({ id, status: 'completed', progress: 1 });
    expect(done?.summary?.scenario.simulation.seed).toBe(11);
    expect(done?.finishedAt).not.toBeNull();

    const result = await service.result(id);
    expect(result?.summary).toEqual(done?.summary);
    expect(result?.series.tSec.length).toBeGreaterThan(10);
    for (const key of [keys.result(id), keys.record(id)]) {
      const ttl = await redis.ttl(key);
      expect(ttl, key).toBeGreaterThan(TTL_SEC - 30);
      expect(ttl, key).toBeLessThanOrEqual(TTL_SEC);
    }
    // BullMQ copies return values into its events stream: only the id and summary go there.
    const job = await queue.getJob(id);
    expect(Object.keys(job?.returnvalue ?? {}).sort()).toEqual(['id', 'summary']);
    expect(runs.find((run) => run.id === id)).toMatchObject({ mode: 'expected', outcome: 'completed' });
  });

  it('serves a resubmitted scenario from the store without running it again', async () => {
    const first = await service.submit(quickScenario(12));
    const done = await service.waitUntilFinished(first.record.id, 20_000);
    const again = await service.submit(quickScenario(12));
    expect(again).toMatchObject({ created: false, record: { id: first.record.id, status: 'completed', finishedAt: done?.finishedAt } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(runs.filter((run) => run.id === first.record.id)).toHaveLength(1);
    expect((await queue.getJob(first.record.id))?.attemptsStarted).toBe(1);
  });

  it('maps an Idempotency-Key to its own id, per client, bound to the body it came with', async () => {
    const key = (scope: string, fingerprint: string) => ({ idempotency: { key: 'nightly-1', scope, fingerprint } });
    const a = await service.submit(quickScenario(13), key('ip:10.0.0.1', 'fp-13'));
    const again = await service.submit(quickScenario(13), key('ip:10.0.0.1', 'fp-13'));
    expect(a.record.id).toMatch(/^key-/);
    expect(again).toMatchObject({ created: false, record: { id: a.record.id } });
    // The same key with another body: refused, and the first record is left as it was.
    await expect(service.submit(quickScenario(14), key('ip:10.0.0.1', 'fp-14'))).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    expect(await redis.hget(keys.record(a.record.id), 'fingerprint')).toBe('fp-13');
    // Another client's same key names a record of its own.
    const other = await service.submit(quickScenario(14), key('ip:10.0.0.2', 'fp-14'));
    expect(other).toMatchObject({ created: true });
    expect(other.record.id).toMatch(/^key-/);
    expect(other.record.id).not.toBe(a.record.id);
    expect((await service.waitUntilFinished(a.record.id, 20_000))?.summary?.scenario.simulation.seed).toBe(13);
    expect((await service.waitUntilFinished(other.record.id, 20_000))?.summary?.scenario.simulation.seed).toBe(14);
    // Still bound once finished, and the key lives as long as its record (the result TTL).
    await expect(service.submit(quickScenario(15), key('ip:10.0.0.1', 'fp-15'))).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    expect(await service.submit(quickScenario(13), key('ip:10.0.0.1', 'fp-13'))).toMatchObject({ created: false, record: { id: a.record.id, status: 'completed' } });
    const ttl = await redis.ttl(keys.record(a.record.id));
    expect(ttl).toBeGreaterThan(TTL_SEC - 30);
    expect(ttl).toBeLessThanOrEqual(TTL_SEC);
  });

  it('re-runs a cancelled keyed simulation for the same body, never for another', async () => {
    const key = (fingerprint: string) => ({ idempotency: { key: 'retry-1', scope: 'ip:10.0.0.3', fingerprint } });
    const { record } = await service.submit(longScenario(16, 30), key('fp-16'));
    await service.cancel(record.id);
    const cancelled = async () => ((await service.get(record.id))?.status === 'cancelled' ? true : undefined);
    await until(cancelled, 20_000, 'the cancel');
    await expect(service.submit(longScenario(17, 30), key('fp-17'))).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    const rerun = await service.submit(longScenario(16, 30), key('fp-16'));
    expect(rerun).toMatchObject({ created: true, record: { id: record.id, status: 'queued' } });
    await service.cancel(record.id);
    await until(cancelled, 20_000, 'the second cancel');
  });

  it('reports progress and the final status to subscribers', async () => {
    const { record } = await service.submit(longScenario(21, 2));
    const events: SimulationEvent[] = [];
    const off = await service.subscribe(record.id, (event) => events.push(event));
    const done = await service.waitUntilFinished(record.id, 20_000);
    off();
    expect(done?.status).toBe('completed');
    // Events carry the record as read when they arrive, so progress never goes backwards.
    const progress = events.filter((e) => e.type === 'progress').map((e) => e.record.progress);
    expect(progress.some((p) => p > 0 && p < 1)).toBe(true);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(events.at(-1)).toMatchObject({ type: 'status', record: { status: 'completed', progress: 1 } });
  });

  it('cancels a running simulation: the processor stops at its next check', async () => {
    const { record } = await service.submit(longScenario(22, 10));
    await until(async () => ((await service.get(record.id))?.progress ?? 0) > 0 || undefined, 20_000, 'progress');
    const cancelledAt = Date.now();
    const outcome = await service.cancel(record.id);
    expect(outcome).toMatchObject({ ok: true, record: { status: 'running' } });
    const done = await service.waitUntilFinished(record.id, 10_000);
    expect(done).toMatchObject({ status: 'cancelled', error: { code: 'CANCELLED' } });
    expect(Date.now() - cancelledAt).toBeLessThan(2000);
    expect(await service.result(record.id)).toBeUndefined();
    expect(await redis.exists(keys.cancel(record.id))).toBe(0);
    // Cancelled means no further attempt.
    expect(await (await queue.getJob(record.id))?.getState()).toBe('failed');
    expect(await service.cancel(record.id)).toMatchObject({ ok: false, reason: 'finished', record: { id: record.id, status: 'cancelled' } });
  });

  it('fails without retrying when the engine rejects the scenario', async () => {
    const tooLarge = scenario({
      dataset: { usedMemoryBytes: '1GiB', valueBytes: 100 },
      workload: { writesPerSec: 1e7 },
      snapshot: { durationSec: 600 },
      simulation: { mode: 'exact' },
    });
    const { record } = await service.submit(tooLarge);
    const done = await service.waitUntilFinished(record.id, 20_000);
    expect(done).toMatchObject({ status: 'failed', error: { code: 'EXACT_TOO_LARGE' } });
    expect((await queue.getJob(record.id))?.attemptsMade).toBe(1);
    // A failed simulation is queued again when submitted again.
    const again = await service.submit(tooLarge);
    expect(again).toMatchObject({ created: true, record: { status: 'queued' } });
    expect(await service.waitUntilFinished(record.id, 20_000)).toMatchObject({ status: 'failed' });
  });

  it('answers cancel of an unknown id with not-found', async () => {
    expect(await service.cancel('sim-0000000000000000')).toEqual({ ok: false, reason: 'not-found' });
    expect(await service.get('sim-0000000000000000')).toBeUndefined();
    expect(await service.result('sim-0000000000000000')).toBeUndefined();
  });

  it('counts jobs by state and answers ready', async () => {
    expect(await service.ready()).toBe(true);
    const counts = await service.counts();
    expect(counts.completed).toBeGreaterThanOrEqual(3);
    expect(Object.keys(counts).sort()).toEqual(['active', 'completed', 'delayed', 'failed', 'prioritized', 'waiting']);
  });
});

describe('BullMQ simulation service without workers', () => {
  it('cancels a queued simulation at once and queues it again on resubmit', async () => {
    const prefix = randomPrefix();
    const service = createBullmqSimulationService({ redisUrl: REDIS_URL, prefix, resultTtlSec: TTL_SEC });
    const redis = new Redis(REDIS_URL);
    const queue = new Queue(QUEUE_NAME, { connection: redis, prefix });
    try {
      const { record } = await service.submit(quickScenario(31));
      expect((await queue.getJobCounts('waiting')).waiting).toBe(1);
      const outcome = await service.cancel(record.id);
      expect(outcome).toMatchObject({ ok: true, record: { status: 'cancelled', error: { code: 'CANCELLED' } } });
      expect(await queue.getJob(record.id)).toBeUndefined();
      expect(await service.waitUntilFinished(record.id, 1000)).toMatchObject({ status: 'cancelled' });

      const again = await service.submit(quickScenario(31));
      expect(again).toMatchObject({ created: true, record: { id: record.id, status: 'queued' } });
      expect((await queue.getJobCounts('waiting')).waiting).toBe(1);
      // Without a worker, waiting ends at the timeout with the record as it is.
      const started = Date.now();
      expect(await service.waitUntilFinished(record.id, 300)).toMatchObject({ status: 'queued' });
      expect(Date.now() - started).toBeLessThan(1000);
    } finally {
      await service.close();
      await queue.close();
      redis.disconnect();
      await deleteKeys(prefix);
    }
  });
});
