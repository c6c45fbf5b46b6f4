// /v1/simulations/{id}/events (and /v1/sweeps/{id}/events, through streamRecordEvents): Server-Sent Events. One `record` event with the state at
// connection, `progress` and `status` events as they happen, and the stream ends after the
// `status` event of a finished simulation. Comment lines every heartbeat keep proxies from
// closing an idle stream; each heartbeat also re-reads the record, so a lost pub/sub message
// cannot leave a client waiting forever.
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { isFinishedStatus, type SimulationStatus } from '../../schemas/api.js';
import type { HttpConfig } from '../context.js';
import { EVENTS_PATH, simulationLinks, simulationRecord } from '../links.js';
import { commonProblemResponses, exampleBodies, idParams, notFoundResponse, response } from '../openapi-parts.js';
import { operation, type Operation } from '../operation.js';
import { simulationNotFound } from '../problem.js';
import { notFoundById } from './shared.js';

/** Reconnection delay suggested to EventSource clients, ms. */
const RETRY_MS = 2000;

export function sseEvent(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export function eventsOperations(config: HttpConfig): Operation[] {
  const { id: exampleId, queued, completed } = exampleBodies();
  const running = { ...queued, status: 'running' as const, progress: 0.5 };
  const stream = operation({
    method: 'get',
    path: EVENTS_PATH,
    operationId: 'streamSimulationEvents',
    summary: 'Follow a simulation as Server-Sent Events',
    description:
      'Events: `record` (the state on connection), `progress` (a Simulation whose progress moved), `status` (a Simulation whose ' +
      'status changed). The server ends the stream after the `status` event of a finished simulation (completed, failed or cancelled). ' +
      'A comment line is sent every 15 s while nothing else happens.',
    tags: ['simulations'],
    request: { params: idParams() },
    notFound: notFoundById,
    responses: {
      200: response(
        'An event stream; each `data:` line is a Simulation as JSON.',
        {
          mediaType: 'text/event-stream',
          schema: { type: 'string' },
          example:
            `retry: ${RETRY_MS}\n\n` + sseEvent('record', queued) + sseEvent('status', running) + sseEvent('progress', running) + sseEvent('status', completed),
        },
        {},
        { rateLimited: true },
      ),
      404: notFoundResponse(),
      ...commonProblemResponses(config.rateLimitPerMin, simulationLinks(exampleId).events),
    },
    handle: ({ service, tuning, logger }, { params: { id } }, res, req) =>
      streamRecordEvents({ get: (x) => service.get(x), subscribe: (x, l) => service.subscribe(x, l), present: simulationRecord, notFound: simulationNotFound }, id, tuning.heartbeatMs, logger, res, req),
  });
  return [stream];
}

interface Followed<S extends { status: SimulationStatus; progress: number }> {
  get(id: string): Promise<S | undefined>;
  subscribe(id: string, listener: (event: { type: 'progress' | 'status'; record: S }) => void): Promise<() => void>;
  present(state: S): unknown;
  notFound(id: string): Error;
}

/** The event stream of a simulation or a sweep: the same events, whichever it is. */
export async function streamRecordEvents<S extends { status: SimulationStatus; progress: number }>(
  followed: Followed<S>,
  id: string,
  heartbeatMs: number,
  logger: Logger,
  res: Response,
  req: Request,
): Promise<void> {
  const { get, subscribe, present, notFound } = followed;
  if (!(await get(id))) throw notFound(id);

  let open = true;
  let unsubscribe: (() => void) | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let last: S | undefined;
  const early: Array<{ type: 'progress' | 'status'; record: S }> = [];

  const close = () => {
    if (!open) return;
    open = false;
    clearInterval(heartbeat);
    unsubscribe?.();
    res.end();
  };
  const send = (event: string, record: S) => {
    if (!open) return;
    last = record;
    res.write(sseEvent(event, present(record)));
    if (event === 'status' && isFinishedStatus(record.status)) close();
  };
  const onEvent = (event: { type: 'progress' | 'status'; record: S }) => {
    if (last === undefined) early.push(event);
    else send(event.type, event.record);
  };

  // Subscribe before reading the state, so no change between the two is missed.
  unsubscribe = await subscribe(id, onEvent);
  let current: S | undefined;
  try {
    current = await get(id);
  } catch (err) {
    unsubscribe();
    throw err;
  }
  if (!current) {
    unsubscribe();
    throw notFound(id);
  }
  if (req.socket.destroyed) {
    // The client left while the state was being read: nobody to stream to.
    unsubscribe();
    return;
  }

  res.status(200).set({
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    'X-Accel-Buffering': 'no',
  });
  res.flushHeaders();
  res.on('close', close);
  res.write(`retry: ${RETRY_MS}\n\n`);
  // Started before anything is sent, so that every way the stream ends clears it.
  heartbeat = setInterval(() => {
    if (!open) return;
    res.write(': heartbeat\n\n');
    get(id).then(
      (latest) => {
        if (latest && isFinishedStatus(latest.status)) send('status', latest);
      },
      (err: unknown) => logger.debug({ err, id }, 'SSE heartbeat could not re-read the record'),
    );
  }, heartbeatMs);

  send('record', current);
  if (isFinishedStatus(current.status)) return send('status', current);
  for (const event of early) {
    // Anything older than the state just sent would move the client backwards.
    if (event.type === 'status' || event.record.progress > current.progress) send(event.type, event.record);
  }
  early.length = 0;
}
