// The BullMQ queue of simulations and the options every job gets: a few attempts with backoff
// (a crashed attempt is retried; a worker that died mid-job leaves a stalled job that another
// worker picks up), and finished job entries pruned by age and count, since the result store
// and not BullMQ keeps what clients read.
import { Queue, type DefaultJobOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUE_NAME } from './keys.js';
import type { SimulationJobData, SimulationJobResult } from './simulation-job.js';

export type SimulationQueue = Queue<SimulationJobData, SimulationJobResult>;

export interface JobRetention {
  /** Finished jobs kept, newest first. @defaultValue 1000 */
  count?: number;
  /** Finished jobs kept at most this long, seconds. @defaultValue 86400 */
  ageSec?: number;
}

export interface SimulationQueueOptions {
  /** A 'command' client: the queue shares it. */
  connection: Redis;
  /** Key prefix; a hash tag such as `{forkcast}` for Redis Cluster. */
  prefix: string;
  retention?: JobRetention;
  /** Attempts per job, the first included. @defaultValue 3 */
  attempts?: number;
  /** First retry delay, doubled for each further one, ms. @defaultValue 1000 */
  backoffMs?: number;
}

export function simulationJobOptions({ retention = {}, attempts = 3, backoffMs = 1000 }: Omit<SimulationQueueOptions, 'connection' | 'prefix'>): DefaultJobOptions {
  const keep = { count: retention.count ?? 1000, age: retention.ageSec ?? 86_400 };
  return {
    attempts,
    backoff: { type: 'exponential', delay: backoffMs },
    removeOnComplete: keep,
    removeOnFail: keep,
  };
}

export function createSimulationQueue(options: SimulationQueueOptions): SimulationQueue {
  return new Queue<SimulationJobData, SimulationJobResult>(QUEUE_NAME, {
    connection: options.connection,
    prefix: options.prefix,
    defaultJobOptions: simulationJobOptions(options),
  });
}
