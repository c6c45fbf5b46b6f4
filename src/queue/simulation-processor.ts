// The sandboxed processor: BullMQ runs this file in a child process per concurrent job, so a
// long simulation never blocks the worker's lock renewal. It runs the engine, stores the result
// under its own key and returns only the id and the summary: BullMQ copies return values into
// its events stream, which is no place for a series of 100 000 points.
import type { SandboxedJob } from 'bullmq';
import { EngineError } from '../engine/errors.js';
import { forecast } from '../advice/forecast.js';
import { ScenarioSchema } from '../schemas/scenario.js';
import { jobLockKey, prefixOf } from './keys.js';
import { createRedisClient } from './redis-clients.js';
import { createResultStore, type ResultStore } from './result-store.js';
import { createRunWatch, type RunWatch, type StopReason } from './run-watch.js';
import { PROCESSOR_ENV, jobError, type SimulationJobData, type SimulationJobResult } from './simulation-job.js';
import { isPlanningJob, planningPrefix, type PlanningJobData, type PlanningJobResult } from './planning-job.js';
import { processPlanning } from './planning-processor.js';

/** At most this many progress updates per second reach Redis. */
const PROGRESS_UPDATES_PER_SEC = 4;

let store: ResultStore | undefined;
let planningStore: ResultStore | undefined;
let watch: Promise<RunWatch> | undefined;

function processorEnv(): { redisUrl: string; resultTtlSec: number } {
  const redisUrl = process.env[PROCESSOR_ENV.redisUrl];
  const resultTtlSec = Number(process.env[PROCESSOR_ENV.resultTtlSec]);
  if (!redisUrl || !(resultTtlSec > 0)) {
    throw new Error(`the worker pool passes ${PROCESSOR_ENV.redisUrl} and ${PROCESSOR_ENV.resultTtlSec} to its processors`);
  }
  return { redisUrl, resultTtlSec };
}

function processorStore(prefix: string): ResultStore {
  if (!store) {
    const { redisUrl, resultTtlSec } = processorEnv();
    const redis = createRedisClient(redisUrl, 'worker', { connectionName: `${prefix}:processor` });
    store = createResultStore({ redis, prefix, resultTtlSec });
  }
  return store;
}

function processorPlanningStore(prefix: string): ResultStore {
  if (!planningStore) {
    const { redisUrl, resultTtlSec } = processorEnv();
    const redis = createRedisClient(redisUrl, 'worker', { connectionName: `${prefix}:processor:planning` });
    planningStore = createResultStore({ redis, prefix: planningPrefix(prefix), resultTtlSec });
  }
  return planningStore;
}

/** One watch thread per processor process, started again should it ever die. */
async function runWatch(): Promise<RunWatch> {
  const current = await watch?.catch(() => undefined);
  if (current?.alive) return current;
  watch = createRunWatch({ redisUrl: processorEnv().redisUrl });
  return watch;
}

export default async function processSimulation(
  job: SandboxedJob<SimulationJobData, SimulationJobResult>,
  token?: string,
): Promise<SimulationJobResult | PlanningJobResult> {
  const { id } = job.data;
  const prefix = prefixOf(job.queueQualifiedName);
  if (isPlanningJob(job.name)) return processPlanning(job as unknown as SandboxedJob<PlanningJobData, PlanningJobResult>, processorPlanningStore(prefix));
  const store = processorStore(prefix);
  const watcher = await runWatch();

  // A run that finished before its worker died need not run again.
  const done = await store.completedSummary(id);
  // A sweep's point (no scenario in the job) returns its id only: see SimulationJobResult.
  const answer = (summary: SimulationJobResult['summary']): SimulationJobResult => (job.data.scenario ? { id, summary } : { id });
  if (done) return answer(done);

  // Cancelled while it turned active: the watch would only notice after its first poll.
  if (await store.cancelRequested(id)) throw jobError('CANCELLED', 'simulation cancelled');

  const parsed = ScenarioSchema.safeParse(job.data.scenario ?? (await store.scenario(id)));
  if (!parsed.success) throw jobError('INVALID_SCENARIO', `scenario rejected: ${parsed.error.message}`);

  const stopReason = watcher.watch({ cancelKey: store.keys.cancel(id), lockKey: jobLockKey(job.queueQualifiedName, job.id), token: token ?? '' });
  let lastProgressAt = 0;
  try {
    // The advice re-runs in expected mode: a few analytic runs beside an exact one.
    const result = forecast(parsed.data, {
      onProgress: (fraction) => {
        const now = Date.now();
        if (now - lastProgressAt < 1000 / PROGRESS_UPDATES_PER_SEC) return;
        lastProgressAt = now;
        // IPC to the worker process; the write leaves even while the engine keeps this thread.
        job.updateProgress(Math.round(fraction * 1e4) / 1e4).catch(() => {});
      },
      shouldCancel: () => stopReason() !== undefined,
    });
    await store.complete(id, result);
    return answer(result.summary);
  } catch (err) {
    throw toJobError(err, stopReason());
  } finally {
    watcher.unwatch();
  }
}

function toJobError(err: unknown, reason: StopReason | undefined): unknown {
  if (err instanceof EngineError && err.code === 'CANCELLED') {
    return reason === 'lost' ? jobError('RELEASED', 'the job was released by its worker') : jobError('CANCELLED', 'simulation cancelled');
  }
  if (err instanceof EngineError) return jobError(err.code, err.message);
  return err;
}
