// Where simulations live outside BullMQ: a record per simulation (a hash with status, progress,
// timestamps, error, summary and scenario), the full result under its own key, both expiring
// after the result TTL; an index for listing newest first; a cancel flag the processor polls.
// BullMQ's own job entries are pruned by age and count, so the records, not the jobs, are what
// the API answers from. Every record change is published so that subscribers see it at once.
//
// State changes run as Lua scripts that check the current status first, so that concurrent
// writers (API, worker, a second worker after a crash) cannot move a record backwards.
import type { ChainableCommander, Redis } from 'ioredis';
import type { SimulationStatus } from '../schemas/api.js';
import type { SimulationResult, Summary } from '../schemas/result.js';
import type { Scenario } from '../schemas/scenario.js';
import { InvalidCursorError } from '../service/errors.js';
import type { SimulationPage, SimulationState } from '../service/simulation-service.js';
import { storeKeys, type StoreKeys } from './keys.js';

export interface ResultStoreOptions {
  redis: Redis;
  /** Key prefix, shared with the queue. */
  prefix: string;
  /** Lifetime of records, results and cancel flags after their last change, seconds. */
  resultTtlSec: number;
}

export interface SimulationError {
  code: string;
  message: string;
}

export interface ClaimOutcome {
  /** True when a new run was queued; false when a queued, running or completed one exists. */
  created: boolean;
  /** Status before the claim, when a record existed. */
  previousStatus: SimulationStatus | undefined;
  record: SimulationState;
}

export interface ResultStore {
  readonly keys: StoreKeys;
  /** Creates (or resets a failed or cancelled) record as queued, unless a live one exists; `input` is the job's (a scenario, a plan's request). */
  claim(id: string, input: Scenario | object): Promise<ClaimOutcome>;
  /** `claim` for an Idempotency-Key's record: it keeps `fingerprint`, and one claimed with another fingerprint answers `{ reused: true }`. */
  claimKeyed(id: string, input: Scenario | object, fingerprint: string): Promise<ClaimOutcome | { reused: true }>;
  /** `claim` for many simulations in one round trip; outcomes in the order given. */
  claimMany(entries: ReadonlyArray<{ id: string; scenario: Scenario }>): Promise<Array<{ created: boolean }>>;
  /** Deletes a record claimed for a job that could not be queued. */
  unclaim(id: string): Promise<void>;
  get(id: string): Promise<SimulationState | undefined>;
  result(id: string): Promise<SimulationResult | undefined>;
  /** The scenario a record was claimed with, as stored. */
  scenario(id: string): Promise<unknown>;
  /** The summary of a completed simulation whose result is still stored. */
  completedSummary(id: string): Promise<Summary | undefined>;
  markRunning(id: string, attempt: number): Promise<boolean>;
  markProgress(id: string, fraction: number): Promise<boolean>;
  /** Back to queued: a retry after a failed attempt, or a job whose worker died. */
  markRequeued(id: string, error?: SimulationError): Promise<boolean>;
  markCancelled(id: string): Promise<boolean>;
  markFailed(id: string, error: SimulationError): Promise<boolean>;
  /** Stores the result and marks the record completed, atomically. */
  complete(id: string, result: SimulationResult): Promise<void>;
  /** The same for any job's result, with the summary its record keeps. */
  completeDocument(id: string, document: object, summary: object): Promise<void>;
  /** Any job's stored result. */
  document(id: string): Promise<unknown>;
  requestCancel(id: string): Promise<void>;
  cancelRequested(id: string): Promise<boolean>;
  list(limit: number, cursor?: string): Promise<SimulationPage>;
}

// KEYS: record, index, result, cancel. ARGV: id, scenario JSON, createdAt ISO, createdAt ms,
// TTL s, channel, fingerprint ('' for none). Returns { created 0|1, previous status or '', record
// as HGETALL }, or { 2 } when the record was claimed with another fingerprint: it is bound to its
// first body for as long as it lives, whatever its status. A record written without one (only a
// worker re-creating an expired record does that) binds nothing.
const CLAIM_LUA = `
local status = redis.call('HGET', KEYS[1], 'status')
if ARGV[7] ~= '' and status then
  local bound = redis.call('HGET', KEYS[1], 'fingerprint')
  if bound and bound ~= ARGV[7] then return {2, status, {}} end
end
if status == 'queued' or status == 'running' or (status == 'completed' and redis.call('EXISTS', KEYS[3]) == 1) then
  return {0, status, redis.call('HGETALL', KEYS[1])}
end
redis.call('DEL', KEYS[1], KEYS[4])
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'status', 'queued', 'progress', '0', 'createdAt', ARGV[3], 'scenario', ARGV[2], 'attempts', '0')
if ARGV[7] ~= '' then redis.call('HSET', KEYS[1], 'fingerprint', ARGV[7]) end
redis.call('EXPIRE', KEYS[1], ARGV[5])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', tonumber(ARGV[4]) - tonumber(ARGV[5]) * 1000)
redis.call('PUBLISH', ARGV[6], cjson.encode({id = ARGV[1], type = 'status'}))
return {1, status or '', redis.call('HGETALL', KEYS[1])}
`;

// KEYS: record, index. ARGV: id, new status ('' keeps it), allowed current statuses (comma
// separated, 'missing' for no record, '*' for any), TTL s, channel, event type, now ISO, now ms,
// n, then n field/value pairs to set, then fields to delete. Returns 1 when applied.
const TRANSITION_LUA = `
local status = redis.call('HGET', KEYS[1], 'status')
local allowed = ARGV[3] == '*'
if not allowed then
  local current = status or 'missing'
  for s in string.gmatch(ARGV[3], '[^,]+') do
    if s == current then allowed = true end
  end
end
if not allowed then return 0 end
if not status then
  redis.call('HSET', KEYS[1], 'id', ARGV[1], 'createdAt', ARGV[7], 'progress', '0')
  redis.call('ZADD', KEYS[2], ARGV[8], ARGV[1])
end
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'status', ARGV[2]) end
local n = tonumber(ARGV[9])
for i = 0, n - 1 do
  redis.call('HSET', KEYS[1], ARGV[10 + 2 * i], ARGV[11 + 2 * i])
end
for i = 10 + 2 * n, #ARGV do
  redis.call('HDEL', KEYS[1], ARGV[i])
end
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('PUBLISH', ARGV[5], cjson.encode({id = ARGV[1], type = ARGV[6]}))
return 1
`;

const CLAIM = 'forkcastClaim';
const TRANSITION = 'forkcastTransition';

type ScriptCall = (...args: Array<string | number>) => Promise<unknown>;

function script(target: Redis | ChainableCommander, name: string): ScriptCall {
  return (target as unknown as Record<string, ScriptCall>)[name]!.bind(target);
}

const LIVE_STATUSES: readonly SimulationStatus[] = ['queued', 'running'];

interface Transition {
  to: SimulationStatus | '';
  from: readonly (SimulationStatus | 'missing')[] | '*';
  event: 'status' | 'progress';
  set?: Record<string, string>;
  del?: readonly string[];
}

export function createResultStore({ redis, prefix, resultTtlSec }: ResultStoreOptions): ResultStore {
  const keys = storeKeys(prefix);
  if (!(CLAIM in redis)) redis.defineCommand(CLAIM, { numberOfKeys: 4, lua: CLAIM_LUA });
  if (!(TRANSITION in redis)) redis.defineCommand(TRANSITION, { numberOfKeys: 2, lua: TRANSITION_LUA });

  // The fields are read one by one: whatever else a hash holds is not part of the record.
  const toRecord = (hash: Record<string, string>): SimulationState | undefined => {
    if (!hash.id || !hash.status) return undefined;
    const record: SimulationState = {
      id: hash.id,
      status: hash.status as SimulationStatus,
      progress: Number(hash.progress ?? 0),
      createdAt: hash.createdAt ?? new Date(0).toISOString(),
      finishedAt: hash.finishedAt ?? null,
    };
    if (hash.error) record.error = JSON.parse(hash.error) as SimulationError;
    if (hash.summary) record.summary = JSON.parse(hash.summary) as Summary;
    return record;
  };

  const transitionArgs = (id: string, t: Transition): Array<string | number> => {
    const now = new Date();
    const pairs = Object.entries(t.set ?? {}).flat();
    return [
      keys.record(id),
      keys.index,
      id,
      t.to,
      t.from === '*' ? '*' : t.from.join(','),
      resultTtlSec,
      keys.events,
      t.event,
      now.toISOString(),
      now.getTime(),
      pairs.length / 2,
      ...pairs,
      ...(t.del ?? []),
    ];
  };

  const transition = async (id: string, t: Transition): Promise<boolean> =>
    (await script(redis, TRANSITION)(...transitionArgs(id, t))) === 1;

  const finishedAt = () => new Date().toISOString();

  const completeDocument = async (id: string, result: object, summary: object): Promise<void> => {
    // A completed result is the truth whatever the record says, even if it expired meanwhile.
    const pipeline = redis.multi().set(keys.result(id), JSON.stringify(result), 'EX', resultTtlSec);
    script(pipeline, TRANSITION)(
      ...transitionArgs(id, {
        to: 'completed',
        from: '*',
        event: 'status',
        set: { progress: '1', finishedAt: finishedAt(), summary: JSON.stringify(summary) },
        del: ['error'],
      }),
    );
    pipeline.del(keys.cancel(id));
    const replies = await pipeline.exec();
    const failure = replies?.find(([err]) => err !== null)?.[0];
    if (failure) throw failure;
  };

  const claimWith = async (id: string, input: Scenario | object, fingerprint: string): Promise<ClaimOutcome | { reused: true }> => {
    const now = new Date();
    const [created, previous, flat] = (await script(redis, CLAIM)(
      keys.record(id),
      keys.index,
      keys.result(id),
      keys.cancel(id),
      id,
      JSON.stringify(input),
      now.toISOString(),
      now.getTime(),
      resultTtlSec,
      keys.events,
      fingerprint,
    )) as [number, string, string[]];
    if (created === 2) return { reused: true };
    const hash: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) hash[flat[i]!] = flat[i + 1]!;
    return {
      created: created === 1,
      previousStatus: previous ? (previous as SimulationStatus) : undefined,
      record: toRecord(hash)!,
    };
  };

  return {
    keys,

    async claim(id, input) {
      const outcome = await claimWith(id, input, '');
      if ('reused' in outcome) throw new Error(`record ${id} answered a fingerprint mismatch to a claim without one`);
      return outcome;
    },

    claimKeyed: (id, input, fingerprint) => claimWith(id, input, fingerprint),

    async claimMany(entries) {
      if (entries.length === 0) return [];
      const now = new Date();
      const pipeline = redis.pipeline();
      for (const { id, scenario } of entries) {
        script(pipeline, CLAIM)(keys.record(id), keys.index, keys.result(id), keys.cancel(id), id, JSON.stringify(scenario), now.toISOString(), now.getTime(), resultTtlSec, keys.events, '');
      }
      const replies = (await pipeline.exec()) ?? [];
      return replies.map(([err, reply]) => {
        if (err) throw err;
        return { created: (reply as [number])[0] === 1 };
      });
    },

    async unclaim(id) {
      await redis.multi().del(keys.record(id)).zrem(keys.index, id).exec();
    },

    async get(id) {
      return toRecord(await redis.hgetall(keys.record(id)));
    },

    async result(id) {
      const json = await redis.get(keys.result(id));
      return json === null ? undefined : (JSON.parse(json) as SimulationResult);
    },

    async scenario(id) {
      const json = await redis.hget(keys.record(id), 'scenario');
      return json === null ? undefined : (JSON.parse(json) as unknown);
    },

    async completedSummary(id) {
      const [[, status], [, summary], [, stored]] = (await redis
        .multi()
        .hget(keys.record(id), 'status')
        .hget(keys.record(id), 'summary')
        .exists(keys.result(id))
        .exec()) as [[null, string | null], [null, string | null], [null, number]];
      return status === 'completed' && summary && stored === 1 ? (JSON.parse(summary) as Summary) : undefined;
    },

    markRunning: (id, attempt) =>
      transition(id, {
        to: 'running',
        from: LIVE_STATUSES,
        event: 'status',
        set: { progress: '0', startedAt: new Date().toISOString(), attempts: String(attempt) },
      }),

    markProgress: (id, fraction) =>
      transition(id, {
        to: '',
        from: ['running'],
        event: 'progress',
        set: { progress: String(Math.round(Math.min(1, Math.max(0, fraction)) * 1e4) / 1e4) },
      }),

    markRequeued: (id, error) =>
      transition(id, {
        to: 'queued',
        from: LIVE_STATUSES,
        event: 'status',
        set: { progress: '0', ...(error ? { error: JSON.stringify(error) } : {}) },
      }),

    async markCancelled(id) {
      const applied = await transition(id, {
        to: 'cancelled',
        from: LIVE_STATUSES,
        event: 'status',
        set: { finishedAt: finishedAt(), error: JSON.stringify({ code: 'CANCELLED', message: 'simulation cancelled' }) },
      });
      await redis.del(keys.cancel(id));
      return applied;
    },

    markFailed: (id, error) =>
      transition(id, {
        to: 'failed',
        from: LIVE_STATUSES,
        event: 'status',
        set: { finishedAt: finishedAt(), error: JSON.stringify(error) },
      }),

    complete: (id, result) => completeDocument(id, result, result.summary),

    async document(id) {
      const json = await redis.get(keys.result(id));
      return json === null ? undefined : (JSON.parse(json) as unknown);
    },

    completeDocument,

    async requestCancel(id) {
      await redis.set(keys.cancel(id), '1', 'EX', resultTtlSec);
    },

    async cancelRequested(id) {
      return (await redis.exists(keys.cancel(id))) === 1;
    },

    async list(limit, cursor) {
      const after = cursor === undefined ? undefined : decodeCursor(cursor);
      const batch = Math.max(limit + 1, 32);
      const items: Array<{ record: SimulationState; score: number }> = [];
      const expired: string[] = [];
      for (let offset = 0; items.length <= limit; offset += batch) {
        const rows = await redis.zrevrangebyscore(keys.index, after ? after.score : '+inf', '-inf', 'WITHSCORES', 'LIMIT', offset, batch);
        const entries: Array<{ id: string; score: number }> = [];
        for (let i = 0; i + 1 < rows.length; i += 2) {
          const id = rows[i]!;
          const score = Number(rows[i + 1]);
          // Equal scores come in descending member order: resume after the cursor's member.
          if (after && score === after.score && id >= after.id) continue;
          entries.push({ id, score });
        }
        if (entries.length > 0) {
          const pipeline = redis.pipeline();
          for (const { id } of entries) pipeline.hgetall(keys.record(id));
          const hashes = (await pipeline.exec()) ?? [];
          entries.forEach(({ id, score }, i) => {
            const record = toRecord((hashes[i]?.[1] ?? {}) as Record<string, string>);
            if (record) items.push({ record, score });
            else expired.push(id);
          });
        }
        if (rows.length < 2 * batch) break;
      }
      // Records expire on their own; their index entries are dropped when a listing meets them.
      if (expired.length > 0) await redis.zrem(keys.index, ...expired);
      const page = items.slice(0, limit);
      const last = page[page.length - 1];
      return {
        items: page.map((item) => item.record),
        nextCursor: items.length > limit && last ? encodeCursor(last.score, last.record.id) : null,
      };
    },
  };
}

function encodeCursor(score: number, id: string): string {
  return Buffer.from(`${score}/${id}`).toString('base64url');
}

function decodeCursor(cursor: string): { score: number; id: string } {
  const text = Buffer.from(cursor, 'base64url').toString();
  const match = /^(\d{1,16})\/([a-z0-9-]{1,80})$/.exec(text);
  if (!match) throw new InvalidCursorError();
  return { score: Number(match[1]), id: match[2]! };
}
