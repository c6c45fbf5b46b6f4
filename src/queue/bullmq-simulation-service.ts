// SimulationService over BullMQ and the result store: what the HTTP layer calls. Every call
// fails fast with ServiceUnavailableError while Redis is unreachable (the connection has no
// offline queue and short timeouts) and works again once it is back, without a restart.
import type { Logger } from 'pino';
import { within } from '../runtime/deadline.js';
import { isFinishedStatus } from '../schemas/api.js';
import { IdempotencyKeyReusedError, ServiceUnavailableError } from '../service/errors.js';
import { idempotencyId, simulationId } from '../service/job-id.js';
import type { SimulationEvent, SimulationService, SimulationState, SweepEvent } from '../service/simulation-service.js';
import { asServiceError } from './errors.js';
import { closeRedisClient, createRedisClient, whenReady } from './redis-clients.js';
import { createResultStore } from './result-store.js';
import { JOB_NAME } from './simulation-job.js';
import { createSimulationQueue, type JobRetention, type SimulationQueue } from './simulation-queue.js';
import { createSweepFlow } from './sweep-flow.js';
import { createSweepStore } from './sweep-store.js';

export interface BullmqSimulationServiceOptions {
  redisUrl: string;
  /** Key prefix shared with the workers. */
  prefix: string;
  /** Lifetime of stored results and records, seconds. */
  resultTtlSec: number;
  retention?: JobRetention;
  /** How long a call waits for a connection that is not up before failing, ms. @defaultValue 500 */
  connectWaitMs?: number;
  logger?: Logger;
}

const JOB_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed'] as const;
/** waitUntilFinished re-reads the record this often, in case a published change was missed. */
const WAIT_POLL_MS = 1000;
/** A sweep's subscribers hear of its progress at most this often: a point can finish every few ms. */
const SWEEP_PROGRESS_INTERVAL_MS = 250;
const SWEEP_ID_PREFIX = 'swp-';

function isFinished(record: { status: SimulationState['status'] }): boolean {
  return isFinishedStatus(record.status);
}

interface Watched<S> {
  /** The first read, through the service (fails while Redis is away). */
  get(): Promise<S | undefined>;
  /** A re-read straight from the store. */
  read(): Promise<S | undefined>;
  subscribe(listener: (event: { record: S }) => void): Promise<() => void>;
}

/**
 * Resolves with the state once it is finished or `timeoutMs` passed, whichever is first: from
 * published changes, and from a re-read every WAIT_POLL_MS in case one was missed.
 */
async function untilFinished<S extends { status: SimulationState['status'] }>({ get, read, subscribe }: Watched<S>, timeoutMs: number): Promise<S | undefined> {
  const first = await get();
  if (!first || isFinished(first)) return first;
  let last: S | undefined = first;
  let settled = false;
  let finish!: (record: S | undefined) => void;
  const finished = new Promise<S | undefined>((resolve) => (finish = resolve));
  const check = async () => {
    try {
      const record = await read();
      if (!record || isFinished(record)) finish(record);
      else last = record;
    } catch {
      // Redis away: keep the last record seen and try again.
    }
  };
  const poll = setInterval(() => void check(), WAIT_POLL_MS);
  const subscription = subscribe((event) => {
    last = event.record;
    if (isFinished(event.record)) finish(event.record);
  });
  subscription.then(
    () => {
      // A change between the first read and the subscription was not published to us.
      if (!settled) void check();
    },
    () => {},
  );
  try {
    return await within(finished, timeoutMs, () => last);
  } finally {
    settled = true;
    clearInterval(poll);
    subscription.then((unsubscribe) => unsubscribe(), () => {});
  }
}

export function createBullmqSimulationService(options: BullmqSimulationServiceOptions): SimulationService {
  const { redisUrl, prefix, resultTtlSec, retention, connectWaitMs = 500, logger } = options;
  const onError = (err: Error) => logger?.debug({ err }, 'redis connection error');
  const redis = createRedisClient(redisUrl, 'command', { connectionName: `${prefix}:api`, onError });
  const store = createResultStore({ redis, prefix, resultTtlSec });
  const sweeps = createSweepStore({ redis, prefix, resultTtlSec });
  const sweepFlow = createSweepFlow({ connection: redis, prefix, store, sweeps, retention });
  let closed = false;

  // Built once Redis answers, and again if its setup failed: BullMQ's connection setup does not
  // retry by itself.
  let queue: SimulationQueue | undefined;
  const getQueue = async (): Promise<SimulationQueue> => {
    if (!queue) {
      queue = createSimulationQueue({ connection: redis, prefix, retention });
      queue.on('error', (err) => logger?.debug({ err }, 'queue error'));
    }
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
    if (closed) throw new ServiceUnavailableError('the simulation service is closed');
    try {
      await whenReady(redis, connectWaitMs);
      return await operation();
    } catch (err) {
      throw asServiceError(err);
    }
  };

  // One subscriber connection for all listeners, made on first use.
  const listeners = new Map<string, Set<(event: SimulationEvent) => void>>();
  let subscriber: ReturnType<typeof createRedisClient> | undefined;
  let subscribed: Promise<void> | undefined;

  const notify = async (id: string, type: SimulationEvent['type']) => {
    const targets = listeners.get(id);
    if (!targets || targets.size === 0) return;
    const record = await store.get(id).catch(() => undefined);
    if (!record) return;
    for (const listener of [...targets]) {
      try {
        listener({ type, record });
      } catch (err) {
        logger?.warn({ err, id }, 'simulation event listener threw');
      }
    }
  };

  const sweepListeners = new Map<string, Set<(event: SweepEvent) => void>>();
  const sweepThrottle = new Map<string, { timer: NodeJS.Timeout | undefined; last: number }>();
  const notifySweepNow = async (id: string, type: SweepEvent['type']) => {
    const targets = sweepListeners.get(id);
    if (!targets || targets.size === 0) return;
    const record = await sweepFlow.get(id).catch(() => undefined);
    if (!record) return;
    for (const listener of [...targets]) {
      try {
        listener({ type, record });
      } catch (err) {
        logger?.warn({ err, id }, 'sweep event listener threw');
      }
    }
  };
  const notifySweep = (id: string, type: SweepEvent['type']) => {
    if (!sweepListeners.has(id)) return;
    if (type === 'status') return void notifySweepNow(id, type);
    // Progress: the first at once, then one per interval carrying the latest count.
    const slot = sweepThrottle.get(id) ?? { timer: undefined, last: 0 };
    sweepThrottle.set(id, slot);
    if (slot.timer) return;
    const wait = Math.max(0, slot.last + SWEEP_PROGRESS_INTERVAL_MS - Date.now());
    slot.timer = setTimeout(() => {
      slot.timer = undefined;
      slot.last = Date.now();
      void notifySweepNow(id, 'progress');
    }, wait);
  };
  const dispatch = (id: string, type: SimulationEvent['type']) => (id.startsWith(SWEEP_ID_PREFIX) ? notifySweep(id, type) : void notify(id, type));

  const ensureSubscribed = async () => {
    if (!subscriber) {
      const client = createRedisClient(redisUrl, 'worker', { connectionName: `${prefix}:events`, onError });
      subscriber = client;
      client.on('message', (_channel: string, message: string) => {
        try {
          const { id, type } = JSON.parse(message) as { id: string; type: SimulationEvent['type'] };
          dispatch(id, type);
        } catch (err) {
          logger?.warn({ err }, 'unreadable simulation event');
        }
      });
      // Changes published while the connection was down are lost: refresh every listener.
      let connectedBefore = false;
      client.on('ready', () => {
        if (connectedBefore) for (const id of [...listeners.keys(), ...sweepListeners.keys()]) dispatch(id, 'status');
        connectedBefore = true;
      });
      subscribed = (async () => {
        await whenReady(client, connectWaitMs);
        await client.subscribe(store.keys.events);
      })();
      subscribed.catch(() => {
        subscribed = undefined;
        subscriber = undefined;
        client.disconnect();
      });
    }
    await subscribed;
  };

  const service: SimulationService = {
    submit: (scenario, submitOptions = {}) =>
      call(async () => {
        const { idempotency } = submitOptions;
        const id = idempotency ? idempotencyId(idempotency.scope, idempotency.key) : simulationId(scenario);
        const claim = idempotency ? await store.claimKeyed(id, scenario, idempotency.fingerprint) : await store.claim(id, scenario);
        if ('reused' in claim) throw new IdempotencyKeyReusedError();
        if (!claim.created) return { record: claim.record, created: false };
        try {
          const q = await getQueue();
          // A finished job entry with this id would turn the add into a no-op.
          if (claim.previousStatus !== undefined) await q.remove(id);
          await q.add(JOB_NAME, { id, scenario }, { jobId: id });
        } catch (err) {
          await store.unclaim(id).catch(() => {});
          throw err;
        }
        return { record: claim.record, created: true };
      }),

    get: (id) => call(() => store.get(id)),

    result: (id) => call(() => store.result(id)),

    cancel: (id) =>
      call(async () => {
        const record = await store.get(id);
        if (!record) return { ok: false, reason: 'not-found' } as const;
        if (isFinished(record)) return { ok: false, reason: 'finished', record } as const;
        // Flag first: a job that turns active meanwhile sees it on its first check.
        await store.requestCancel(id);
        const q = await getQueue();
        const job = await q.getJob(id);
        const state = job ? await job.getState() : 'unknown';
        // remove() refuses a locked (active) job and returns 0; that one stops on the flag.
        const removed = state === 'unknown' || (state !== 'active' && (await q.remove(id)) === 1);
        if (removed) await store.markCancelled(id);
        return { ok: true, record: (await store.get(id)) ?? record } as const;
      }),

    list: (limit, cursor) => call(() => store.list(limit, cursor)),

    waitUntilFinished: (id, timeoutMs) =>
      untilFinished({ get: () => service.get(id), read: () => store.get(id), subscribe: (listener) => service.subscribe(id, listener) }, timeoutMs),

    subscribe: (id, listener) =>
      call(async () => {
        await ensureSubscribed();
        let set = listeners.get(id);
        if (!set) listeners.set(id, (set = new Set()));
        set.add(listener);
        return () => {
          set.delete(listener);
          if (set.size === 0 && listeners.get(id) === set) listeners.delete(id);
        };
      }),

    submitSweep: (sweep) => call(() => sweepFlow.submit(sweep)),
    getSweep: (id) => call(() => sweepFlow.get(id)),
    sweepResult: (id) => call(() => sweeps.result(id)),
    cancelSweep: (id) => call(() => sweepFlow.cancel(id)),
    waitForSweep: (id, timeoutMs) =>
      untilFinished({ get: () => service.getSweep(id), read: () => sweepFlow.get(id), subscribe: (listener) => service.subscribeSweep(id, listener) }, timeoutMs),
    subscribeSweep: (id, listener) =>
      call(async () => {
        await ensureSubscribed();
        let set = sweepListeners.get(id);
        if (!set) sweepListeners.set(id, (set = new Set()));
        set.add(listener);
        return () => {
          set.delete(listener);
          if (set.size === 0 && sweepListeners.get(id) === set) {
            sweepListeners.delete(id);
            clearTimeout(sweepThrottle.get(id)?.timer);
            sweepThrottle.delete(id);
          }
        };
      }),
    async ready() {
      if (closed) return false;
      try {
        await whenReady(redis, connectWaitMs);
        return (await within(redis.ping(), connectWaitMs, () => 'no answer')) === 'PONG';
      } catch {
        return false;
      }
    },

    counts: () =>
      call(async () => {
        const counts = await (await getQueue()).getJobCounts(...JOB_STATES);
        return Object.fromEntries(JOB_STATES.map((state) => [state, counts[state] ?? 0]));
      }),

    async close() {
      if (closed) return;
      closed = true;
      listeners.clear();
      sweepListeners.clear();
      for (const slot of sweepThrottle.values()) clearTimeout(slot.timer);
      await queue?.close().catch(() => {});
      await sweepFlow.close();
      if (subscriber) await closeRedisClient(subscriber);
      await closeRedisClient(redis);
    },
  };
  return service;
}
