// Every resource the API runs as a job — simulations, sweeps, plans, hosts — is
// submitted the same way (POST, 202 + Location, or 200 once finished) and read the same way
// (a record with `status` and `progress`, a `result` beside it, `events` as SSE). This module
// follows one to its end: the event stream where the server has one, polling otherwise.
import { isFinishedStatus, SimulationRecordSchema } from '../schemas/api.js';
import { z } from '../schemas/zod.js';
import { ProblemError, UnavailableError, UnexpectedResponseError } from './errors.js';
import type { Answer, HttpClient } from './http-client.js';

export const JOB_KINDS = {
  simulation: { collection: '/v1/simulations', idPrefix: 'sim-' },
  sweep: { collection: '/v1/sweeps', idPrefix: 'swp-' },
  plan: { collection: '/v1/plans', idPrefix: 'plan-' },
  host: { collection: '/v1/hosts', idPrefix: 'host-' },
} as const;

export type JobKind = keyof typeof JOB_KINDS;

/**
 * What every job record has, read off the simulation record's schema; the rest of a record is
 * kept as the server sent it.
 */
export const JobRecordSchema = SimulationRecordSchema.pick({ id: true, status: true })
  .extend({
    progress: SimulationRecordSchema.shape.progress.optional(),
    error: SimulationRecordSchema.shape.error,
    links: z.object({ self: z.string(), result: z.string().optional(), events: z.string().optional() }).loose().optional(),
  })
  .loose();

export type JobRecord = z.infer<typeof JobRecordSchema>;

/** The kind of a job from its id's prefix, or from an API path (`/v1/sweeps/…`). */
export function kindOf(idOrPath: string): JobKind | undefined {
  for (const [kind, { collection, idPrefix }] of Object.entries(JOB_KINDS) as Array<[JobKind, (typeof JOB_KINDS)[JobKind]]>) {
    if (idOrPath.startsWith(`${collection}/`) || idOrPath.startsWith(idPrefix)) return kind;
  }
  return undefined;
}

/** The record's path: from an id of `kind`, or an API path as it is. */
export function jobPath(kind: JobKind, idOrPath: string): string {
  if (idOrPath.startsWith('/')) return idOrPath.replace(/\/+$/, '');
  return `${JOB_KINDS[kind].collection}/${encodeURIComponent(idOrPath)}`;
}

export function parseRecord(body: unknown, what: string): JobRecord {
  const parsed = JobRecordSchema.safeParse(body);
  if (!parsed.success) throw new UnexpectedResponseError(`${what} answered something that is not a job record: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

export interface Submitted {
  /** 200: finished already (or within `?wait=`); 201/202: accepted. */
  httpStatus: number;
  /** The record's path, from `Location` or the record's links. */
  path: string;
  record: JobRecord;
  /** The whole body: with `?wait=` a finished record may carry its result inline. */
  body: Record<string, unknown>;
}

export interface SubmitOptions {
  /** `?wait=N`: let the server hold the request up to N seconds. */
  waitSec?: number;
  idempotencyKey?: string;
}

/** POSTs a body (JSON text as written, or a value) to the kind's collection. */
export async function submitJob(client: HttpClient, kind: JobKind, body: unknown, options: SubmitOptions = {}): Promise<Submitted> {
  const { collection } = JOB_KINDS[kind];
  const answer = await client.request('POST', collection, {
    body,
    query: { wait: options.waitSec },
    headers: options.idempotencyKey === undefined ? {} : { 'idempotency-key': options.idempotencyKey },
    extraTimeoutMs: (options.waitSec ?? 0) * 1000,
  });
  const record = parseRecord(answer.body, `POST ${collection}`);
  const location = answer.headers.get('location');
  const path = location ? new URL(location, client.baseUrl).pathname : (record.links?.self ?? jobPath(kind, record.id));
  return { httpStatus: answer.status, path, record, body: answer.body as Record<string, unknown> };
}

export async function getJob(client: HttpClient, path: string): Promise<JobRecord> {
  return parseRecord((await client.request('GET', path)).body, `GET ${path}`);
}

export class WaitTimeoutError extends Error {
  constructor(
    readonly record: JobRecord,
    waitedSec: number,
  ) {
    super(`${record.id} is still ${record.status} after ${waitedSec} s`);
    this.name = 'WaitTimeoutError';
  }
}

export interface WaitOptions {
  /** Give up after this long, seconds; undefined waits as long as it takes. */
  timeoutSec?: number;
  onProgress?: (record: JobRecord) => void;
  /** Between two reads when polling, ms. */
  pollIntervalMs?: number;
}

/**
 * Poll interval when the server has no event stream or it broke off: a progress bar moves
 * about twice a second, and a client polling at that rate costs the server one Redis read.
 */
const DEFAULT_POLL_INTERVAL_MS = 500;

/** Waits until the job at `path` has finished; resolves with its final record. */
export async function waitForJob(client: HttpClient, path: string, first: JobRecord, options: WaitOptions = {}): Promise<JobRecord> {
  if (isFinishedStatus(first.status)) return first;
  const deadline = options.timeoutSec === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.timeoutSec * 1000;
  const stop = new AbortController();
  const timer = Number.isFinite(deadline) ? setTimeout(() => stop.abort(), Math.max(0, deadline - Date.now())) : undefined;
  let latest = first;
  const seen = (record: JobRecord) => {
    latest = record;
    options.onProgress?.(record);
  };
  try {
    // A record whose links name no event stream has none: poll it.
    const events = first.links ? first.links.events : `${path}/events`;
    const streamed = events === undefined ? undefined : await followEvents(client, events, stop.signal, seen);
    if (streamed && isFinishedStatus(streamed.status)) return streamed;
    const interval = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    while (!stop.signal.aborted) {
      const record = await getJob(client, path);
      seen(record);
      if (isFinishedStatus(record.status)) return record;
      await sleep(Math.min(interval, Math.max(0, deadline - Date.now())), stop.signal);
    }
    throw new WaitTimeoutError(latest, options.timeoutSec ?? 0);
  } finally {
    clearTimeout(timer);
    stop.abort();
  }
}

/**
 * Reads the job's event stream until a finished status; undefined when the server has none for
 * this kind (404 / 405) or it broke off, so the caller polls instead.
 */
async function followEvents(client: HttpClient, path: string, signal: AbortSignal, seen: (record: JobRecord) => void): Promise<JobRecord | undefined> {
  try {
    for await (const { event, data } of client.events(path, signal)) {
      if (event !== 'record' && event !== 'progress' && event !== 'status') continue;
      let record: JobRecord;
      try {
        record = parseRecord(JSON.parse(data), `the event stream of ${path}`);
      } catch {
        continue;
      }
      seen(record);
      if (isFinishedStatus(record.status)) return record;
    }
  } catch (err) {
    if (signal.aborted) return undefined;
    if (err instanceof ProblemError && (err.status === 404 || err.status === 405 || err.status === 406)) return undefined;
    if (err instanceof UnavailableError) return undefined;
    throw err;
  }
  return undefined;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

export interface ResultOptions {
  format?: 'json' | 'csv';
  maxPoints?: number;
}

/**
 * The result of a completed job: at `links.result` (`{path}/result` for a record without links),
 * or, for a kind whose record holds its result and links no result route (plans, hosts), the
 * record's own.
 */
export async function getJobResult(client: HttpClient, path: string, record: JobRecord, options: ResultOptions = {}): Promise<Answer> {
  const inline = (record as Record<string, unknown>).result;
  if (record.links && record.links.result === undefined) {
    if (inline === undefined) throw new UnexpectedResponseError(`${record.id} is ${record.status} but its record holds no result and links none`);
    if (options.format === 'csv') throw new UnexpectedResponseError(`${record.id} has no CSV of the server's own`);
    return { status: 200, headers: new Headers({ 'content-type': 'application/json' }), body: inline, text: JSON.stringify(inline) };
  }
  const resultPath = record.links?.result ?? `${path}/result`;
  const query = { format: options.format === 'csv' ? 'csv' : undefined, maxPoints: options.maxPoints };
  return client.request('GET', resultPath, { query, accept: options.format === 'csv' ? 'text/csv, application/problem+json' : undefined });
}
