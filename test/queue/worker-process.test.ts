// Worker processes as they run in production (`src/main-worker.ts`), killed the hard way and
// the polite way: no job is lost either way.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBullmqSimulationService } from '../../src/queue/bullmq-simulation-service.js';
import { QUEUE_NAME } from '../../src/queue/keys.js';
import type { SimulationService } from '../../src/service/simulation-service.js';
import { deleteKeys, longScenario, randomPrefix, REDIS_URL, until } from './support.js';
import { alive, childPids, killWorkers, startWorker, type WorkerProcess } from './worker-processes.js';

const TTL_SEC = 600;

describe('worker processes', () => {
  let prefix: string;
  let service: SimulationService;
  let redis: Redis;
  let queue: Queue;
  const workers: WorkerProcess[] = [];

  beforeEach(() => {
    prefix = randomPrefix();
    service = createBullmqSimulationService({ redisUrl: REDIS_URL, prefix, resultTtlSec: TTL_SEC });
    redis = new Redis(REDIS_URL);
    queue = new Queue(QUEUE_NAME, { connection: redis, prefix });
  });

  afterEach(async () => {
    await killWorkers(workers);
    await service.close();
    await queue.close();
    redis.disconnect();
    await deleteKeys(prefix);
  });

  const runningWith = async (worker: WorkerProcess, id: string) =>
    until(
      async () => {
        const record = await service.get(id);
        return record?.status === 'running' && record.progress > 0 ? record : undefined;
      },
      30_000,
      `progress of ${id}; worker output:\n${worker.output()}`,
    );

  it('finishes a job whose worker was killed with SIGKILL mid-run', async () => {
    const first = startWorker(prefix);
    workers.push(first);
    const { record } = await service.submit(longScenario(41, 6));
    await runningWith(first, record.id);
    const processors = childPids(first.child.pid!);
    expect(processors.length).toBeGreaterThan(0);

    first.child.kill('SIGKILL');
    expect(await first.exited).toMatchObject({ signal: 'SIGKILL' });
    // The orphaned processor notices that its parent is gone and ends itself.
    await until(() => (processors.some(alive) ? undefined : true), 10_000, 'the orphaned processor to exit');

    const second = startWorker(prefix);
    workers.push(second);
    const done = await service.waitUntilFinished(record.id, 40_000);
    expect(done, second.output()).toMatchObject({ status: 'completed', progress: 1 });
    expect((await service.result(record.id))?.summary.writes).toBe(done?.summary?.writes);
    // The service reports the result it stored; BullMQ marks the job finished a moment later.
    const job = await until(
      async () => {
        const found = await queue.getJob(record.id);
        return found?.finishedOn ? found : undefined;
      },
      10_000,
      'BullMQ to record the completion',
    );
    expect(await job.getState()).toBe('completed');
    // Recovered through stall detection: started twice, one finished attempt (the completion).
    expect({ started: job.attemptsStarted, made: job.attemptsMade, stalled: job.stalledCounter }).toEqual({ started: 2, made: 1, stalled: 1 });

    second.child.kill('SIGTERM');
    expect(await second.exited).toMatchObject({ code: 0 });
  });

  it('releases its active job on SIGTERM so that another worker runs it', async () => {
    const first = startWorker(prefix);
    workers.push(first);
    const { record } = await service.submit(longScenario(42, 6));
    await runningWith(first, record.id);

    const stoppedAt = Date.now();
    first.child.kill('SIGTERM');
    expect(await first.exited, first.output()).toMatchObject({ code: 0 });
    expect(Date.now() - stoppedAt).toBeLessThan(5000);
    expect(first.output()).toContain('released active job');
    const job = await queue.getJob(record.id);
    expect(await job?.getState()).toBe('waiting');
    expect(job?.attemptsMade).toBe(0);
    expect(await service.get(record.id)).toMatchObject({ status: 'queued', progress: 0 });

    const second = startWorker(prefix);
    workers.push(second);
    expect(await service.waitUntilFinished(record.id, 40_000), second.output()).toMatchObject({ status: 'completed' });
  });
});
