// A sweep as a BullMQ flow: a parent job on the sweeps queue whose children are the sweep's
// points, one job each on the simulation queue, so that every worker on the same Redis runs
// them. Points already simulated when the sweep is submitted (same scenario, same content-hash
// id, result still stored) are no children at all; the others are claimed in the result store
// like any submission, so GET /v1/simulations/{id} follows each of them. A child's job data is
// only the simulation id: the scenario is in the simulation's record already. A failed point
// does not fail the sweep (ignoreDependencyOnFailure): its row says why. Once no child is
// pending the parent runs `aggregateSweep`, which writes the rows in axis order.
import { FlowProducer, Queue, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { SimulationStatus } from '../schemas/api.js';
import type { SweepResult, SweepRow } from '../schemas/sweep.js';
import type { Summary } from '../schemas/result.js';
import { sweepId, simulationId } from '../service/job-id.js';
import type { SweepCancelOutcome, SweepState, SweepSubmission } from '../service/simulation-service.js';
import { pointJobId, QUEUE_NAME, simulationIdOfJob, SWEEP_QUEUE_NAME } from './keys.js';
import type { ResultStore } from './result-store.js';
import { JOB_NAME, type SimulationJobData, type SimulationJobResult } from './simulation-job.js';
import { simulationJobOptions, type JobRetention } from './simulation-queue.js';
import { sweepState, type StoredSweep, type SweepStore } from './sweep-store.js';

export const SWEEP_JOB_NAME = 'aggregate';

export interface SweepJobData {
  id: string;
}

export type SweepQueue = Queue<SweepJobData>;

export interface SweepFlowOptions {
  connection: Redis;
  prefix: string;
  store: ResultStore;
  sweeps: SweepStore;
  retention?: JobRetention;
}

export interface SweepFlow {
  submit(sweep: SweepSubmission): Promise<{ record: SweepState; created: boolean }>;
  get(id: string): Promise<SweepState | undefined>;
  cancel(id: string): Promise<SweepCancelOutcome>;
  close(): Promise<void>;
}

/** The asked fields of each simulation's record, in one round trip. */
async function recordFields(redis: Redis, store: ResultStore, ids: readonly string[], fields: string[]): Promise<Array<Array<string | null>>> {
  if (ids.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const id of ids) pipeline.hmget(store.keys.record(id), ...fields);
  const replies = (await pipeline.exec()) ?? [];
  return replies.map(([err, value]) => {
    if (err) throw err;
    return value as Array<string | null>;
  });
}

/** Which of `ids` are completed with their result still stored. */
async function completedIds(redis: Redis, store: ResultStore, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const pipeline = redis.pipeline();
  for (const id of ids) pipeline.hget(store.keys.record(id), 'status').exists(store.keys.result(id));
  const replies = (await pipeline.exec()) ?? [];
  const done = new Set<string>();
  ids.forEach((id, i) => {
    if (replies[2 * i]?.[1] === 'completed' && replies[2 * i + 1]?.[1] === 1) done.add(id);
  });
  return done;
}

/** Points finished so far: all but those whose child is still pending (reused points never were). */
async function finishedPoints(sweep: StoredSweep, queue: SweepQueue): Promise<number> {
  const job = await queue.getJob(sweep.id);
  if (!job) return sweep.reusedPoints;
  if ((await job.getState()) !== 'waiting-children') return sweep.pointIds.length;
  const pending = new Set<string>();
  let cursor = 0;
  do {
    const page = await job.getDependencies({ unprocessed: { cursor, count: 1000 } });
    // Dependency keys are `${prefix}:${queue}:${jobId}`.
    for (const key of page.unprocessed ?? []) pending.add(simulationIdOfJob(key.slice(key.lastIndexOf(':') + 1)));
    cursor = page.nextUnprocessedCursor ?? 0;
  } while (cursor);
  return sweep.pointIds.filter((pointId) => !pending.has(pointId)).length;
}

export function createSweepFlow({ connection, prefix, store, sweeps, retention }: SweepFlowOptions): SweepFlow {
  let flow: FlowProducer | undefined;
  let queue: SweepQueue | undefined;
  let simulations: Queue<SimulationJobData, SimulationJobResult> | undefined;
  const flowProducer = () => (flow ??= new FlowProducer({ connection, prefix }));
  const sweepQueue = () => (queue ??= new Queue<SweepJobData>(SWEEP_QUEUE_NAME, { connection, prefix }));
  const simulationQueue = () => (simulations ??= new Queue<SimulationJobData, SimulationJobResult>(QUEUE_NAME, { connection, prefix }));
  const pointOptions = simulationJobOptions({ retention });

  const get = async (id: string) => {
    const sweep = await sweeps.get(id);
    if (!sweep) return undefined;
    const live = sweep.status === 'queued' || sweep.status === 'running';
    return sweepState(sweep, live ? await finishedPoints(sweep, sweepQueue()) : sweep.finishedPoints);
  };

  return {
    async submit({ axes, points }) {
      const pointIds = points.map((point) => simulationId(point.scenario));
      const id = sweepId(axes, pointIds);
      const scenarios = new Map(points.map((point, i) => [pointIds[i]!, point.scenario]));
      const unique = [...scenarios.keys()];
      const done = await completedIds(connection, store, unique);
      const reusedPoints = pointIds.filter((pointId) => done.has(pointId)).length;
      const claim = await sweeps.claim({ id, axes, pointIds, reusedPoints });
      if (!claim.created) return { record: (await get(id)) ?? sweepState(claim.sweep, 0), created: false };
      try {
        // A finished parent entry with this id would turn the flow's add into a no-op.
        if (claim.previousStatus !== undefined) await sweepQueue().remove(id, { removeChildren: true });
        const pending = unique.filter((pointId) => !done.has(pointId));
        await store.claimMany(pending.map((pointId) => ({ id: pointId, scenario: scenarios.get(pointId)! })));
        await flowProducer().add({
          name: SWEEP_JOB_NAME,
          queueName: SWEEP_QUEUE_NAME,
          data: { id },
          opts: { jobId: id, attempts: pointOptions.attempts, backoff: pointOptions.backoff, removeOnComplete: true, removeOnFail: pointOptions.removeOnFail },
          children: pending.map((pointId) => ({
            name: JOB_NAME,
            queueName: QUEUE_NAME,
            data: { id: pointId, mode: scenarios.get(pointId)!.simulation.mode },
            opts: {
              ...pointOptions,
              jobId: pointJobId(id, pointId),
              // The rows keep each point's summary; the parent keeps the children's return values.
              removeOnComplete: true,
              ignoreDependencyOnFailure: true,
            },
          })),
        });
      } catch (err) {
        await sweeps.unclaim(id).catch(() => {});
        throw err;
      }
      return { record: (await get(id))!, created: true };
    },

    get,

    async cancel(id) {
      const sweep = await sweeps.get(id);
      if (!sweep) return { ok: false, reason: 'not-found' };
      if (sweep.status !== 'queued' && sweep.status !== 'running') return { ok: false, reason: 'finished', record: sweepState(sweep, sweep.finishedPoints) };
      await sweeps.requestCancel(id);
      const q = simulationQueue();
      // remove() refuses a locked (running) job: that point finishes. The calls share one connection.
      const removed = await Promise.all(
        [...new Set(sweep.pointIds)].map(async (pointId) => {
          if ((await q.remove(pointJobId(id, pointId))) !== 1) return false;
          await store.markCancelled(pointId);
          return true;
        }),
      );
      const cancelledPoints = removed.filter(Boolean).length;
      return { ok: true, record: (await get(id)) ?? sweepState(sweep, 0), cancelledPoints };
    },

    async close() {
      await Promise.all([flow?.close(), queue?.close(), simulations?.close()].map((p) => p?.catch(() => {})));
    },
  };
}

/**
 * The parent's work: one row per point in axis order, each with its simulation's summary (from
 * the children's return values, or the store for reused points) or why it has none.
 */
export async function aggregateSweep(job: Job<SweepJobData>, connection: Redis, store: ResultStore, sweeps: SweepStore): Promise<{ id: string; rows: number }> {
  const { id } = job.data;
  const sweep = await sweeps.get(id);
  if (!sweep) throw new Error(`sweep ${id} has no record (expired?)`);
  const summaries = new Map<string, Summary>();
  // Points return their id only (SimulationJobResult); a summary there is used, the rest read from the records.
  for (const value of Object.values(await job.getChildrenValues<SimulationJobResult>())) {
    if (value?.id && value.summary) summaries.set(value.id, value.summary);
  }
  const missing = [...new Set(sweep.pointIds)].filter((pointId) => !summaries.has(pointId));
  const fields = await recordFields(connection, store, missing, ['status', 'summary', 'error']);
  const others = new Map<string, { status: SimulationStatus; summary: Summary | null; error?: { code: string; message: string } }>();
  missing.forEach((pointId, i) => {
    const [status, summary, error] = fields[i]!;
    others.set(pointId, {
      status: (status as SimulationStatus | null) ?? 'failed',
      summary: status === 'completed' && summary ? (JSON.parse(summary) as Summary) : null,
      ...(error ? { error: JSON.parse(error) as { code: string; message: string } } : status ? {} : { error: { code: 'RECORD_EXPIRED', message: 'the point’s simulation record has expired' } }),
    });
  });
  const lists = sweep.axes.map((axis) => axis.values);
  const rows: SweepRow[] = sweep.pointIds.map((pointId, index) => {
    const values: SweepRow['values'] = {};
    let rest = index;
    for (let a = lists.length - 1; a >= 0; a--) {
      values[sweep.axes[a]!.path] = lists[a]![rest % lists[a]!.length]!;
      rest = Math.floor(rest / lists[a]!.length);
    }
    // Paths in axis order, as the client listed them.
    const ordered = Object.fromEntries(sweep.axes.map((axis) => [axis.path, values[axis.path]!]));
    const summary = summaries.get(pointId);
    if (summary) return { values: ordered, simulationId: pointId, status: 'completed', summary };
    const other = others.get(pointId)!;
    const status: SimulationStatus = other.summary ? 'completed' : other.status === 'queued' || other.status === 'running' ? 'cancelled' : other.status;
    return { values: ordered, simulationId: pointId, status, summary: other.summary, ...(other.error && !other.summary ? { error: other.error } : {}) };
  });
  const finished = rows.filter((row) => row.summary !== null).length;
  const anyCancelled = rows.some((row) => row.status === 'cancelled');
  const status: SimulationStatus = finished === rows.length ? 'completed' : sweep.cancelRequested || anyCancelled ? 'cancelled' : 'completed';
  const result: SweepResult = { rows };
  await sweeps.finish(id, status, result, rows.length);
  return { id, rows: rows.length };
}
