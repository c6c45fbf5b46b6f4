// Where sweeps live outside BullMQ: a record per sweep (a hash with status, point count, the
// axes as applied and every point's simulation id) and, once the parent job has aggregated, the
// rows under their own key; both expire after the result TTL. Every change is published on the
// store's events channel, as simulation records are.
import type { Redis } from 'ioredis';
import type { SimulationStatus } from '../schemas/api.js';
import type { AxisValue, SweepResult } from '../schemas/sweep.js';
import type { SweepState } from '../service/simulation-service.js';
import { storeKeys, type StoreKeys } from './keys.js';

export interface SweepStoreOptions {
  redis: Redis;
  prefix: string;
  resultTtlSec: number;
}

export interface SweepDefinition {
  id: string;
  axes: Array<{ path: string; values: AxisValue[] }>;
  /** Simulation id of each point, in axis order. */
  pointIds: string[];
  reusedPoints: number;
}

/** What the store keeps of a sweep; `finishedPoints` of a live sweep is counted by the caller. */
export interface StoredSweep extends SweepDefinition {
  status: SimulationStatus;
  createdAt: string;
  finishedAt: string | null;
  finishedPoints: number;
  cancelRequested: boolean;
}

export interface SweepStore {
  readonly keys: StoreKeys;
  /** Creates the record as queued unless a live sweep, or a completed one with its rows, has this id. */
  claim(definition: SweepDefinition): Promise<{ created: boolean; previousStatus: SimulationStatus | undefined; sweep: StoredSweep }>;
  unclaim(id: string): Promise<void>;
  get(id: string): Promise<StoredSweep | undefined>;
  result(id: string): Promise<SweepResult | undefined>;
  /** Stores the rows and the final status, atomically. */
  finish(id: string, status: SimulationStatus, result: SweepResult, finishedPoints: number): Promise<void>;
  requestCancel(id: string): Promise<boolean>;
  /** Tells subscribers that a point of the sweep finished. */
  publishProgress(id: string): Promise<void>;
}

// KEYS: record, result. ARGV: id, createdAt, TTL, channel, then field/value pairs. Returns
// { created, previous status or '' }.
const CLAIM_SWEEP_LUA = `
local status = redis.call('HGET', KEYS[1], 'status')
if status == 'queued' or status == 'running' or (status == 'completed' and redis.call('EXISTS', KEYS[2]) == 1) then
  return {0, status}
end
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'status', 'queued', 'createdAt', ARGV[2], unpack(ARGV, 5))
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('PUBLISH', ARGV[4], cjson.encode({id = ARGV[1], type = 'status'}))
return {1, status or ''}
`;

const CLAIM_SWEEP = 'forkcastClaimSweep';

export function createSweepStore({ redis, prefix, resultTtlSec }: SweepStoreOptions): SweepStore {
  const keys = storeKeys(prefix);
  if (!(CLAIM_SWEEP in redis)) redis.defineCommand(CLAIM_SWEEP, { numberOfKeys: 2, lua: CLAIM_SWEEP_LUA });

  const get = async (id: string): Promise<StoredSweep | undefined> => {
    const hash = await redis.hgetall(keys.sweep(id));
    if (!hash.id || !hash.status) return undefined;
    return {
      id: hash.id,
      status: hash.status as SimulationStatus,
      axes: JSON.parse(hash.axes ?? '[]') as SweepDefinition['axes'],
      pointIds: JSON.parse(hash.pointIds ?? '[]') as string[],
      reusedPoints: Number(hash.reusedPoints ?? 0),
      finishedPoints: Number(hash.finishedPoints ?? 0),
      createdAt: hash.createdAt ?? new Date(0).toISOString(),
      finishedAt: hash.finishedAt ?? null,
      cancelRequested: hash.cancelRequested === '1',
    };
  };

  const publish = (id: string, type: 'status' | 'progress') => redis.publish(keys.events, JSON.stringify({ id, type }));

  return {
    keys,

    async claim(definition) {
      const fields = {
        axes: JSON.stringify(definition.axes),
        pointIds: JSON.stringify(definition.pointIds),
        reusedPoints: String(definition.reusedPoints),
      };
      const claim = (redis as unknown as Record<string, (...args: Array<string | number>) => Promise<[number, string]>>)[CLAIM_SWEEP]!.bind(redis);
      const [created, previous] = await claim(
        keys.sweep(definition.id),
        keys.sweepResult(definition.id),
        definition.id,
        new Date().toISOString(),
        resultTtlSec,
        keys.events,
        ...Object.entries(fields).flat(),
      );
      const sweep = await get(definition.id);
      if (!sweep) throw new Error(`sweep ${definition.id} vanished right after its claim`);
      return { created: created === 1, previousStatus: previous ? (previous as SimulationStatus) : undefined, sweep };
    },

    async unclaim(id) {
      await redis.del(keys.sweep(id));
    },

    get,

    async result(id) {
      const json = await redis.get(keys.sweepResult(id));
      return json === null ? undefined : (JSON.parse(json) as SweepResult);
    },

    async finish(id, status, result, finishedPoints) {
      const replies = await redis
        .multi()
        .set(keys.sweepResult(id), JSON.stringify(result), 'EX', resultTtlSec)
        .hset(keys.sweep(id), 'status', status, 'finishedAt', new Date().toISOString(), 'finishedPoints', String(finishedPoints))
        .expire(keys.sweep(id), resultTtlSec)
        .publish(keys.events, JSON.stringify({ id, type: 'status' }))
        .exec();
      const failure = replies?.find(([err]) => err !== null)?.[0];
      if (failure) throw failure;
    },

    async requestCancel(id) {
      const replies = await redis.multi().hsetnx(keys.sweep(id), 'cancelRequested', '1').expire(keys.sweep(id), resultTtlSec).exec();
      return replies?.[0]?.[1] === 1;
    },

    async publishProgress(id) {
      await publish(id, 'progress');
    },
  };
}

/** The record as the service reports it. */
export function sweepState(sweep: StoredSweep, finishedPoints: number): SweepState {
  const points = sweep.pointIds.length;
  const live = sweep.status === 'queued' || sweep.status === 'running';
  const finished = live ? Math.min(points, finishedPoints) : sweep.finishedPoints;
  return {
    id: sweep.id,
    // Running once a point has finished or started; the store only knows queued and the end.
    status: live && finished > 0 ? 'running' : sweep.status,
    progress: points === 0 ? 1 : Math.round((finished / points) * 1e4) / 1e4,
    points,
    finishedPoints: finished,
    reusedPoints: sweep.reusedPoints,
    axes: sweep.axes,
    createdAt: sweep.createdAt,
    finishedAt: sweep.finishedAt,
  };
}
