// PlanningService over BullMQ: plans and host plans queued on the simulations' queue under
// their own job names, their records in the planning store. Like the simulation service, every
// call fails fast with ServiceUnavailableError while Redis is unreachable.
import type { Logger } from 'pino';
import { within } from '../runtime/deadline.js';
import { isFinishedStatus } from '../schemas/api.js';
import { ServiceUnavailableError } from '../service/errors.js';
import { planningId } from '../service/job-id.js';
import type { PlanningKind, PlanningService, PlanningState } from '../service/planning-service.js';
import { asServiceError } from './errors.js';
import { PLANNING_JOB_NAMES, planningPrefix, type PlanningJobData } from './planning-job.js';
import { closeRedisClient, createRedisClient, whenReady } from './redis-clients.js';
import { createResultStore } from './result-store.js';
import { createSimulationQueue, type JobRetention, type SimulationQueue } from './simulation-queue.js';

export interface BullmqPlanningServiceOptions {
  redisUrl: string;
  /** Key prefix shared with the workers. */
  prefix: string;
  /** Lifetime of stored results and records, seconds. */
  resultTtlSec: number;
  retention?: JobRetention;
  /** How long a call waits for a connection that is not up before failing, ms. @defaultValue 500 */
  connectWaitMs?: number;
  /** How often a long poll re-reads the record, ms. @defaultValue 100 */
  pollMs?: number;
  logger?: Logger;
}

export function createBullmqPlanningService(options: BullmqPlanningServiceOptions): PlanningService {
  const { redisUrl, prefix, resultTtlSec, retention, connectWaitMs = 500, pollMs = 100, logger } = options;
  const redis = createRedisClient(redisUrl, 'command', { connectionName: `${prefix}:api:planning`, onError: (err) => logger?.debug({ err }, 'redis connection error') });
  const store = createResultStore({ redis, prefix: planningPrefix(prefix), resultTtlSec });
  let closed = false;
  let queue: SimulationQueue | undefined;

  const getQueue = async (): Promise<SimulationQueue> => {
    queue ??= createSimulationQueue({ connection: redis, prefix, retention });
    const current = queue;
    try {
      await within(current.waitUntilReady(), connectWaitMs, () => {
        throw new ServiceUnavailableError('the queue did not become ready');
      });
      return current;
    } catch (err) {
      if (queue === current) queue = undefined;
      current.close().catch(() => {});
      throw err;
    }
  };

  const call = async <T>(operation: () => Promise<T>): Promise<T> => {
    if (closed) throw new ServiceUnavailableError('the planning service is closed');
    try {
      await whenReady(redis, connectWaitMs);
      return await operation();
    } catch (err) {
      throw asServiceError(err);
    }
  };

  const read = async <K extends PlanningKind>(kind: K, id: string): Promise<PlanningState<K> | undefined> => {
    // Ids name their kind: a plan's id is no host plan.
    if (!id.startsWith(`${kind}-`)) return undefined;
    const record = await store.get(id);
    if (!record) return undefined;
    const { summary: _digest, ...state } = record;
    if (record.status !== 'completed') return state;
    const result = (await store.document(id)) as PlanningState<K>['result'];
    return result === undefined ? state : { ...state, result };
  };

  const service: PlanningService = {
    submitPlanning: (kind, request) =>
      call(async () => {
        const id = planningId(kind, request);
        const claim = await store.claim(id, request);
        if (claim.created) {
          try {
            const q = await getQueue();
            if (claim.previousStatus !== undefined) await q.remove(id);
            const data: PlanningJobData = { id, kind, request };
            // Deterministic: a failed plan would fail again.
            await q.add(PLANNING_JOB_NAMES[kind], data as never, { jobId: id, attempts: 1 });
          } catch (err) {
            await store.unclaim(id).catch(() => {});
            throw err;
          }
        }
        return { state: (await read(kind, id)) ?? claim.record, created: claim.created };
      }),

    getPlanning: (kind, id) => call(() => read(kind, id)),

    async waitPlanning(kind, id, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      let last = await service.getPlanning(kind, id);
      while (last && !isFinishedStatus(last.status) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(pollMs, Math.max(0, deadline - Date.now()))));
        last = (await service.getPlanning(kind, id).catch(() => last)) ?? last;
      }
      return last;
    },

    async close() {
      if (closed) return;
      closed = true;
      await queue?.close().catch(() => {});
      await closeRedisClient(redis);
    },
  };
  return service;
}
