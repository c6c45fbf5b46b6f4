// /v1/sweeps: a base scenario run over one or two axes. POST answers as for simulations (202 +
// Location, `?wait=N`, an id from the content); GET gives status and progress (finished points
// / all), /result the rows in axis order (JSON or CSV), DELETE cancels the points not yet run,
// /events follows it as Server-Sent Events.
import { getOpenApiMetadata } from '@asteasolutions/zod-to-openapi';
import type { Request, Response } from 'express';
import { isFinishedStatus } from '../../schemas/api.js';
import { StateConflictProblemSchema, submitQuerySchema } from '../../schemas/http.js';
import { sweepToCsv } from '../../schemas/sweep-csv.js';
import { sweepPlan } from '../../schemas/sweep-points.js';
import { SweepIdSchema, SweepRecordSchema, SweepResultSchema, sweepRequestSchema, type SweepRecord, type SweepResult } from '../../schemas/sweep.js';
import { simulationId, sweepId } from '../../service/job-id.js';
import type { SweepState } from '../../service/simulation-service.js';
import { z } from '../../schemas/zod.js';
import type { HttpConfig } from '../context.js';
import { SWEEP_EVENTS_PATH, SWEEP_PATH, SWEEP_RESULT_PATH, SWEEPS_PATH, sweepPath, sweepRecord } from '../links.js';
import { commonProblemResponses, exampleBodies, LOCATION_HEADER_DOC, problemResponse, response, RETRY_AFTER_HEADER_DOC } from '../openapi-parts.js';
import { operation, type Operation } from '../operation.js';
import { HttpProblem, stateConflict, sweepNotFound, unsupportedMediaType } from '../problem.js';
import { sseEvent, streamRecordEvents } from './events.js';

const notFoundBySweepId = (params: { id?: string }) => sweepNotFound(String(params.id));

interface SweepExamples {
  request: z.input<ReturnType<typeof sweepRequestSchema>>;
  queued: SweepRecord;
  completed: SweepRecord;
  result: SweepResult;
}

/** The example request's real id and rows (its points are the example scenario's figures at other write rates). */
const cachedExamples = new Map<number, SweepExamples>();

function sweepExamples(maxPoints: number): SweepExamples {
  const cached = cachedExamples.get(maxPoints);
  if (cached) return cached;
  const schema = sweepRequestSchema(maxPoints);
  const request = getOpenApiMetadata(schema).example as SweepExamples['request'];
  const parsed = schema.parse(request);
  const plan = sweepPlan(request.base, parsed.axes, maxPoints);
  if (!plan.ok) throw new Error('the sweep example does not expand');
  const ids = plan.points.map((point) => simulationId(point.scenario));
  const id = sweepId(plan.axes, ids);
  const summary = exampleBodies().completed.summary!;
  const createdAt = '2026-01-01T12:00:00.000Z';
  const base = { id, points: ids.length, reusedPoints: 0, axes: plan.axes, createdAt };
  const queued = sweepRecord({ ...base, status: 'queued', progress: 0, finishedPoints: 0, finishedAt: null });
  const completed = sweepRecord({ ...base, status: 'completed', progress: 1, finishedPoints: ids.length, finishedAt: '2026-01-01T12:00:01.500Z' });
  const result: SweepResult = {
    rows: plan.points.map((point, i) => ({ values: point.values, simulationId: ids[i]!, status: 'completed', summary })),
  };
  const examples = { request, queued, completed, result };
  cachedExamples.set(maxPoints, examples);
  return examples;
}

function accepted(res: Response, record: SweepState, retryAfterSec: number) {
  res.status(202).location(sweepPath(record.id)).set('Retry-After', String(retryAfterSec)).json(sweepRecord(record));
}

const idParams = () => z.object({ id: SweepIdSchema });

export function sweepOperations(config: HttpConfig): Operation[] {
  const examples = sweepExamples(config.maxSweepPoints);
  const common = commonProblemResponses(config.rateLimitPerMin, SWEEPS_PATH);
  const notFound = problemResponse(sweepNotFound('swp-0000000000000000'), sweepPath('swp-0000000000000000'), { description: 'No sweep has this id.' });
  const id = examples.completed.id;
  const params = idParams().extend({ id: SweepIdSchema.openapi({ example: id }) });

  const create = operation({
    method: 'post',
    path: SWEEPS_PATH,
    operationId: 'createSweep',
    summary: 'Run a scenario over one or two axes',
    description:
      'Each point is the base scenario with the axes’ fields set, run as a simulation on the shared queue: every worker on the same Redis takes points, ' +
      'and a point already simulated (same scenario, same id) is reused, not run again. The id is a hash of the axes and the points, so the same sweep ' +
      `submitted again is the same sweep. At most ${config.maxSweepPoints} points (MAX_SWEEP_POINTS). With \`?wait=N\` the request waits up to N s ` +
      'and answers 200 with the rows inlined when the sweep finishes in time.',
    tags: ['sweeps'],
    request: {
      query: submitQuerySchema(config.maxWaitSec),
      body: { schema: sweepRequestSchema(config.maxSweepPoints), description: `A base scenario and its axes, at most ${config.bodyLimitBytes} bytes of JSON.`, example: examples.request },
    },
    responses: {
      200: response(
        'Finished (an earlier submission, or `?wait=` and it finished in time); `result` is inlined when `?wait=` was given.',
        { schema: SweepRecordSchema.extend({ result: SweepResultSchema.optional() }), example: { ...examples.completed, result: examples.result } },
        { Location: LOCATION_HEADER_DOC },
        { rateLimited: true },
      ),
      202: response('Queued or running; poll the Location or follow its events.', { schema: SweepRecordSchema, example: examples.queued }, { Location: LOCATION_HEADER_DOC, 'Retry-After': RETRY_AFTER_HEADER_DOC }, { rateLimited: true }),
      400: problemResponse(new HttpProblem({ status: 400, code: 'MALFORMED_JSON', detail: 'The request body is not valid JSON.' }), SWEEPS_PATH),
      413: problemResponse(new HttpProblem({ status: 413, code: 'BODY_TOO_LARGE', detail: `The request body exceeds the limit of ${config.bodyLimitBytes} bytes.` }), SWEEPS_PATH),
      415: problemResponse(unsupportedMediaType('text/plain'), SWEEPS_PATH),
      422: problemResponse(
        new HttpProblem({
          status: 422,
          code: 'VALIDATION_FAILED',
          detail: 'A sweep point does not satisfy the scenario schema.',
          errors: [
            {
              path: 'axes.0.values.1',
              message: 'point 1 (dataset.valueBytes = 0 (axis 0, value 1)): dataset.valueBytes: must be a whole number of bytes from 1 B to 512.00 MiB, got 0',
            },
          ],
        }),
        SWEEPS_PATH,
        {
          description:
            'VALIDATION_FAILED: the body, an axis path that is no scenario field (`axes.N.path`), or a value the scenario schema rejects, named by its axis and point. ' +
            `SWEEP_TOO_LARGE: the axes make more than ${config.maxSweepPoints} points.`,
        },
      ),
      ...common,
    },
    async handle({ service, tuning }, { query, body }, res, req: Request) {
      // Points are made from the base as written, so that each is what POST /v1/simulations would run.
      const plan = sweepPlan((req.body as { base: unknown }).base, body.axes, config.maxSweepPoints);
      if (!plan.ok) {
        const detail = plan.code === 'SWEEP_TOO_LARGE' ? `The sweep has more than ${config.maxSweepPoints} points (MAX_SWEEP_POINTS).` : 'A sweep point does not satisfy the scenario schema.';
        throw new HttpProblem({ status: 422, code: plan.code, detail, errors: plan.issues });
      }
      const { record } = await service.submitSweep({ axes: plan.axes, points: plan.points });
      let current = record;
      if (query.wait !== undefined && query.wait > 0 && !isFinishedStatus(current.status)) {
        current = (await service.waitForSweep(record.id, query.wait * 1000)) ?? current;
      }
      if (!isFinishedStatus(current.status)) return accepted(res, current, tuning.retryAfterSec);
      const result = query.wait !== undefined ? await service.sweepResult(current.id) : undefined;
      res.status(200).location(sweepPath(current.id)).json(result ? { ...sweepRecord(current), result } : sweepRecord(current));
    },
  });

  const get = operation({
    method: 'get',
    path: SWEEP_PATH,
    operationId: 'getSweep',
    summary: 'Get a sweep’s state',
    description: 'Status and progress: finished points (completed, failed or cancelled, reused ones included) over all points.',
    tags: ['sweeps'],
    request: { params },
    notFound: notFoundBySweepId,
    responses: {
      200: response('The sweep.', { schema: SweepRecordSchema, example: examples.completed }, {}, { rateLimited: true }),
      404: notFound,
      ...common,
    },
    async handle({ service }, { params: { id } }, res) {
      const record = await service.getSweep(id);
      if (!record) throw sweepNotFound(id);
      res.json(sweepRecord(record));
    },
  });

  const resultQuery = z.object({
    format: z
      .enum(['json', 'csv'])
      .default('json')
      .openapi({ description: 'json: `{ rows }`; csv: one line per row, the axis values, simulationId, status, then every scalar summary field by dotted name.' }),
  });

  const result = operation({
    method: 'get',
    path: SWEEP_RESULT_PATH,
    operationId: 'getSweepResult',
    summary: 'Get a sweep’s rows',
    description: 'One row per point in axis order (the first axis outermost): the values it set, its simulation id and summary. 409 until the sweep has finished.',
    tags: ['sweeps'],
    request: { params, query: resultQuery },
    notFound: notFoundBySweepId,
    responses: {
      200: {
        ...response('The rows.', { schema: SweepResultSchema, example: examples.result }, {}, { rateLimited: true }),
        content: {
          'application/json': { schema: SweepResultSchema, example: examples.result },
          'text/csv': { schema: { type: 'string' }, example: sweepToCsv(examples.result, examples.completed.axes.map((axis) => axis.path)) },
        },
      },
      404: notFound,
      409: problemResponse(stateConflict('SWEEP_NOT_FINISHED', `Sweep ${id} is running; its rows exist once every point has finished.`, 'running'), `${sweepPath(id)}/result`, {
        schema: StateConflictProblemSchema,
        headers: { 'Retry-After': RETRY_AFTER_HEADER_DOC },
      }),
      410: problemResponse(new HttpProblem({ status: 410, code: 'RESULT_EXPIRED', detail: `The rows of ${id} have expired; submit the sweep again.` }), `${sweepPath(id)}/result`),
      ...common,
    },
    async handle({ service, tuning }, { params: { id }, query }, res) {
      const record = await service.getSweep(id);
      if (!record) throw sweepNotFound(id);
      if (!isFinishedStatus(record.status)) {
        throw stateConflict('SWEEP_NOT_FINISHED', `Sweep ${id} is ${record.status}; its rows exist once every point has finished.`, record.status, {
          'Retry-After': String(tuning.retryAfterSec),
        });
      }
      const rows = await service.sweepResult(id);
      if (!rows) throw new HttpProblem({ status: 410, code: 'RESULT_EXPIRED', detail: `The rows of ${id} have expired; submit the sweep again.` });
      if (query.format === 'csv') {
        res.type('text/csv; charset=utf-8').attachment(`${id}.csv`).send(sweepToCsv(rows, record.axes.map((axis) => axis.path)));
        return;
      }
      res.json(rows);
    },
  });

  const cancel = operation({
    method: 'delete',
    path: SWEEP_PATH,
    operationId: 'cancelSweep',
    summary: 'Cancel the points not yet run',
    description:
      'Points still queued are cancelled; running ones finish. 200 when nothing is left running (the sweep then finishes with the rows it has, ' +
      'the cancelled points’ rows with `status: cancelled` and no summary), 202 while points still run. 409 once the sweep has finished.',
    tags: ['sweeps'],
    request: { params },
    notFound: notFoundBySweepId,
    responses: {
      200: response('Cancelled.', { schema: SweepRecordSchema, example: { ...examples.completed, status: 'cancelled' } }, {}, { rateLimited: true }),
      202: response('Cancelled the queued points; running ones finish first.', { schema: SweepRecordSchema, example: { ...examples.queued, status: 'running', progress: 0.4 } }, {}, { rateLimited: true }),
      404: notFound,
      409: problemResponse(stateConflict('SWEEP_FINISHED', `Sweep ${id} is already completed; there is nothing to cancel.`, 'completed'), sweepPath(id), { schema: StateConflictProblemSchema }),
      ...common,
    },
    async handle({ service }, { params: { id } }, res) {
      const outcome = await service.cancelSweep(id);
      if (outcome.ok) {
        res.status(isFinishedStatus(outcome.record.status) ? 200 : 202).json(sweepRecord(outcome.record));
        return;
      }
      if (outcome.reason === 'not-found') throw sweepNotFound(id);
      throw stateConflict('SWEEP_FINISHED', `Sweep ${id} is already ${outcome.record.status}; there is nothing to cancel.`, outcome.record.status);
    },
  });

  const running = { ...examples.queued, status: 'running' as const, progress: 0.5, finishedPoints: Math.round(examples.queued.points / 2) };
  const events = operation({
    method: 'get',
    path: SWEEP_EVENTS_PATH,
    operationId: 'streamSweepEvents',
    summary: 'Follow a sweep as Server-Sent Events',
    description:
      'As for simulations: `record` on connection, `progress` as points finish (at most four a second), `status` when it changes; the stream ends after the `status` event of a finished sweep.',
    tags: ['sweeps'],
    request: { params },
    notFound: notFoundBySweepId,
    responses: {
      200: response(
        'An event stream; each `data:` line is a Sweep as JSON.',
        { mediaType: 'text/event-stream', schema: { type: 'string' }, example: sseEvent('record', examples.queued) + sseEvent('progress', running) + sseEvent('status', examples.completed) },
        {},
        { rateLimited: true },
      ),
      404: notFound,
      ...common,
    },
    handle: ({ service, tuning, logger }, { params: { id } }, res, req) =>
      streamRecordEvents(
        { get: (x) => service.getSweep(x), subscribe: (x, listener) => service.subscribeSweep(x, listener), present: sweepRecord, notFound: sweepNotFound },
        id,
        tuning.heartbeatMs,
        logger,
        res,
        req,
      ),
  });

  return [create, get, result, cancel, events];
}
