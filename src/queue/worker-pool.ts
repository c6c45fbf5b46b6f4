// A BullMQ worker running the sandboxed simulation processor, `concurrency` child processes at
// most. The worker process itself only moves jobs and keeps the records in step with BullMQ's
// events: running on start, progress, queued again on a retry or a stall, failed or cancelled
// at the end. (The processor marks completion itself, in the same transaction that stores the
// result.)
//
// A second worker on the sweeps queue runs the parents of sweep flows: cheap aggregation, in
// this process. When a sweep's point finishes, its sweep's subscribers are told.
//
// Closing releases active jobs instead of waiting for them: each goes back to waiting with its
// attempt intact, its processor notices the lost lock and stops, and another worker, here or
// elsewhere, runs it again.
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { within } from '../runtime/deadline.js';
import { QUEUE_NAME, simulationIdOfJob, SWEEP_QUEUE_NAME } from './keys.js';
import { processorLaunch } from './processor-file.js';
import { closeRedisClient, createRedisClient } from './redis-clients.js';
import { createResultStore } from './result-store.js';
import { JOB_NAME, PROCESSOR_ENV, classifyFailure, type SimulationJobData, type SimulationJobResult } from './simulation-job.js';
import { aggregateSweep, type SweepJobData } from './sweep-flow.js';
import { createSweepStore } from './sweep-store.js';

export interface WorkerPoolOptions {
  redisUrl: string;
  /** Key prefix shared with the queue and the store. */
  prefix: string;
  /** Simulations run at once, one child process each. */
  concurrency: number;
  /** Lifetime of stored results and records, seconds. */
  resultTtlSec: number;
  /** How long a job's lock lasts without renewal, ms. @defaultValue 30000 */
  lockDurationMs?: number;
  /** How often this worker looks for jobs whose worker died, ms. @defaultValue 30000 */
  stalledIntervalMs?: number;
  /** Stalls a job survives before it is failed. @defaultValue 2 */
  maxStalledCount?: number;
  logger?: Logger;
  /** Called when an attempt ends, e.g. to feed a run-time histogram. */
  onRunFinished?: (run: FinishedRun) => void;
}

export interface FinishedRun {
  id: string;
  mode: 'expected' | 'exact';
  outcome: 'completed' | 'failed' | 'cancelled' | 'retry';
  /** From the job turning active to its end, seconds. */
  durationSec: number;
}

export interface WorkerPool {
  readonly worker: Worker<SimulationJobData, SimulationJobResult>;
  readonly sweepWorker: Worker<SweepJobData>;
  waitUntilReady(): Promise<void>;
  /**
   * Stops taking jobs, releases the active ones back to the queue and closes connections.
   * Resolves within `deadlineMs` even when a child process does not stop in time.
   */
  close(deadlineMs?: number): Promise<void>;
}

type SimulationJob = Job<SimulationJobData, SimulationJobResult>;

export function createWorkerPool(options: WorkerPoolOptions): WorkerPool {
  const {
    redisUrl,
    prefix,
    concurrency,
    resultTtlSec,
    lockDurationMs = 30_000,
    stalledIntervalMs = 30_000,
    maxStalledCount = 2,
    logger,
    onRunFinished,
  } = options;
  const onError = (err: Error) => logger?.warn({ err }, 'worker redis connection error');
  const connection: Redis = createRedisClient(redisUrl, 'worker', { connectionName: `${prefix}:worker`, onError });
  const store = createResultStore({ redis: connection, prefix, resultTtlSec });
  const sweeps = createSweepStore({ redis: connection, prefix, resultTtlSec });
  const launch = processorLaunch();

  const worker = new Worker<SimulationJobData, SimulationJobResult>(QUEUE_NAME, launch.file, {
    connection,
    prefix,
    concurrency,
    lockDuration: lockDurationMs,
    stalledInterval: stalledIntervalMs,
    maxStalledCount,
    useWorkerThreads: false,
    workerForkOptions: {
      env: { ...process.env, [PROCESSOR_ENV.redisUrl]: redisUrl, [PROCESSOR_ENV.resultTtlSec]: String(resultTtlSec) },
      ...(launch.execArgv ? { execArgv: launch.execArgv } : {}),
    },
  });

  const sweepWorker = new Worker<SweepJobData>(SWEEP_QUEUE_NAME, (job) => aggregateSweep(job, connection, store, sweeps), {
    connection,
    prefix,
    // Aggregation reads records and writes one key: a handful at once keeps up with any sweep rate.
    concurrency: 4,
    lockDuration: lockDurationMs,
    stalledInterval: stalledIntervalMs,
    maxStalledCount,
  });
  sweepWorker.on('error', (err) => logger?.error({ err }, 'sweep worker error'));
  sweepWorker.on('failed', (job, err) => logger?.warn({ id: job?.id, err }, 'sweep aggregation failed'));
  const sweepSuffix = `:${SWEEP_QUEUE_NAME}`;
  const pointFinished = (job: SimulationJob) => {
    const parentId = job.parent?.queueKey.endsWith(sweepSuffix) ? job.parent.id : undefined;
    if (parentId) void record('sweep progress', parentId, sweeps.publishProgress(parentId));
  };

  const active = new Map<string, { job: SimulationJob; startedAt: number }>();
  const record = (what: string, id: string | undefined, update: Promise<unknown>) =>
    update.catch((err: unknown) => logger?.warn({ err, id }, `could not record ${what}`));
  /** Forgets the job's run now and returns the function that reports its outcome later. */
  const finished = (job: SimulationJob) => {
    const run = active.get(job.id!);
    active.delete(job.id!);
    const endedAt = Date.now();
    return (outcome: FinishedRun['outcome']) => {
      // Plans and host plans keep their own records (src/queue/planning-processor.ts).
      if (run && onRunFinished && job.name === JOB_NAME) {
        onRunFinished({ id: job.data.id, mode: job.data.scenario?.simulation.mode ?? job.data.mode ?? 'expected', outcome, durationSec: (endedAt - run.startedAt) / 1000 });
      }
    };
  };

  worker.on('error', (err) => logger?.error({ err }, 'worker error'));
  worker.on('active', (job) => {
    active.set(job.id!, { job, startedAt: Date.now() });
    void record('start', job.id, store.markRunning(job.data.id, job.attemptsStarted));
  });
  worker.on('progress', (job, progress) => {
    if (typeof progress === 'number') void record('progress', job.id, store.markProgress(job.data.id, progress));
  });
  worker.on('completed', (job) => {
    finished(job)('completed');
    pointFinished(job);
  });
  worker.on('failed', (job, err) => {
    if (!job) return;
    const report = finished(job);
    void record(
      'failure',
      job.id,
      (async () => {
        const state = await job.getState();
        const final = !['delayed', 'waiting', 'prioritized', 'active'].includes(state);
        const outcome = classifyFailure(err as Error & { code?: unknown }, final);
        report(outcome.kind);
        logger?.info({ id: job.id, outcome: outcome.kind, err }, 'simulation attempt ended');
        if (outcome.kind === 'cancelled') await store.markCancelled(job.data.id);
        else if (outcome.kind === 'failed') await store.markFailed(job.data.id, outcome.error);
        else await store.markRequeued(job.data.id, outcome.error);
        if (outcome.kind !== 'retry') pointFinished(job);
      })(),
    );
  });
  worker.on('stalled', (jobId) => {
    logger?.warn({ id: jobId }, 'stalled job moved back to waiting');
    void record('stall', jobId, store.markRequeued(simulationIdOfJob(jobId)));
  });

  let closing: Promise<void> | undefined;

  const release = async () => {
    const jobs = [...active.values()].map((run) => run.job);
    active.clear();
    await Promise.all(
      jobs.map(async (job) => {
        try {
          await job.moveToWait(job.token);
          await store.markRequeued(job.data.id);
          logger?.info({ id: job.id }, 'released active job');
        } catch (err) {
          // Finished meanwhile, or the lock is gone: nothing left to release.
          logger?.debug({ err, id: job.id }, 'active job not released');
        }
      }),
    );
  };

  return {
    worker,
    sweepWorker,
    waitUntilReady: async () => {
      await Promise.all([worker.waitUntilReady(), sweepWorker.waitUntilReady()]);
    },
    close(deadlineMs = 10_000) {
      closing ??= (async () => {
        const deadline = Date.now() + deadlineMs;
        const remaining = () => Math.max(0, deadline - Date.now());
        // Each step gets what is left of the deadline; how a step fails does not matter here.
        const step = (promise: Promise<unknown>) => within(promise.then(() => true, () => true), remaining(), () => false);
        await step(Promise.all([worker.pause(true), sweepWorker.pause(true)]));
        await step(release());
        // force: do not wait for active jobs; the released ones' processors stop on their own.
        // An aggregation cut short is run again by another worker.
        const closed = await step(Promise.all([worker.close(true), sweepWorker.close(true)]));
        if (!closed) logger?.warn('worker did not close before the deadline');
        await closeRedisClient(connection, Math.min(1000, remaining()));
      })();
      return closing;
    },
  };
}
