// Every Redis key of the service, under one prefix. BullMQ keeps its own keys under
// `${prefix}:simulations:…`; the store's keys sit beside them. With a hash-tagged prefix such as
// `{forkcast}` all of them hash to one Redis Cluster slot, which the store's scripts need.

/** BullMQ queue name. */
export const QUEUE_NAME = 'simulations';
/** BullMQ queue of sweep parents: each waits for its points (children on QUEUE_NAME), then aggregates. */
export const SWEEP_QUEUE_NAME = 'sweeps';

/** A sweep point's job id: one job per sweep and point, so concurrent sweeps sharing a point never fight over one job's parent. */
export function pointJobId(sweepId: string, simulationId: string): string {
  return `${sweepId}.${simulationId}`;
}

/** The simulation a job runs, from its id: a point job's id carries its sweep's id first. */
export function simulationIdOfJob(jobId: string): string {
  const dot = jobId.lastIndexOf('.');
  return dot === -1 ? jobId : jobId.slice(dot + 1);
}

export interface StoreKeys {
  /** Hash: status, progress, timestamps, error, summary and scenario of one simulation. */
  record(id: string): string;
  /** String: the full result JSON, `{ summary, series }`. */
  result(id: string): string;
  /** String: present while a cancel of a running simulation is pending. */
  cancel(id: string): string;
  /** Sorted set of ids scored by creation time in ms, for listing newest first. */
  index: string;
  /** Pub/sub channel of `{ id, type }` messages on every record change. */
  events: string;
  /** Hash: status, counts, axes and point ids of one sweep. */
  sweep(id: string): string;
  /** String: the sweep's rows JSON, once aggregated. */
  sweepResult(id: string): string;
}

export function storeKeys(prefix: string): StoreKeys {
  return {
    record: (id) => `${prefix}:sim:${id}`,
    result: (id) => `${prefix}:result:${id}`,
    cancel: (id) => `${prefix}:cancel:${id}`,
    index: `${prefix}:sims`,
    events: `${prefix}:events`,
    sweep: (id) => `${prefix}:sweep:${id}`,
    sweepResult: (id) => `${prefix}:sweep-result:${id}`,
  };
}

/** BullMQ's lock of an active job: its value is the token of the worker that owns the job. */
export function jobLockKey(queueQualifiedName: string, jobId: string): string {
  return `${queueQualifiedName}:${jobId}:lock`;
}

/** The key prefix back from BullMQ's `${prefix}:${queueName}`. */
export function prefixOf(queueQualifiedName: string): string {
  const suffix = `:${QUEUE_NAME}`;
  if (!queueQualifiedName.endsWith(suffix)) throw new Error(`not a ${QUEUE_NAME} queue: ${queueQualifiedName}`);
  return queueQualifiedName.slice(0, -suffix.length);
}
