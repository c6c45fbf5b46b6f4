// /v1/simulations: submit (with optional long poll), read, cancel and list simulations.
import type { Response } from 'express';
import { isFinishedStatus, SimulationListSchema, SimulationRecordSchema } from '../../schemas/api.js';
import {
  ListQuerySchema,
  SimulationWithResultSchema,
  StateConflictProblemSchema,
  SubmitHeadersSchema,
  submitQuerySchema,
  LIST_LIMIT_MAX,
} from '../../schemas/http.js';
import { ScenarioSchema } from '../../schemas/scenario.js';
import type { SimulationState } from '../../service/simulation-service.js';
import { requestFingerprint } from '../../service/job-id.js';
import { clientScope } from '../client-scope.js';
import type { HttpConfig } from '../context.js';
import { SIMULATION_PATH, SIMULATIONS_PATH, simulationPath, simulationRecord } from '../links.js';
import {
  commonProblemResponses,
  EXAMPLE_SCENARIO,
  exampleBodies,
  idParams,
  notFoundResponse,
  LOCATION_HEADER_DOC,
  problemResponse,
  response,
  RETRY_AFTER_HEADER_DOC,
} from '../openapi-parts.js';
import { operation, type Operation } from '../operation.js';
import { HttpProblem, idempotencyKeyReused, simulationNotFound, stateConflict, unsupportedMediaType, VALIDATION_FAILED_DETAIL } from '../problem.js';
import { notFoundById } from './shared.js';

function accepted(res: Response, record: SimulationState, retryAfterSec: number) {
  res.status(202).location(simulationPath(record.id)).set('Retry-After', String(retryAfterSec)).json(simulationRecord(record));
}

export function simulationOperations(config: HttpConfig): Operation[] {
  const { id, queued, completed, result: exampleResult } = exampleBodies();
  const common = commonProblemResponses(config.rateLimitPerMin, SIMULATIONS_PATH);
  const notFound = notFoundResponse();

  const create = operation({
    method: 'post',
    path: SIMULATIONS_PATH,
    operationId: 'createSimulation',
    summary: 'Submit a scenario',
    description:
      'Queues the scenario and answers 202 with a Location to poll. The id is a hash of the scenario as parsed (defaults filled in), ' +
      'so submitting the same scenario again returns the same simulation: 202 while it is queued or running, 200 once it has finished. ' +
      'With an Idempotency-Key the key, scoped to the client, decides the id instead; the same key with a different body is refused (422 IDEMPOTENCY_KEY_REUSED). With `?wait=N` the request waits up to N seconds and answers 200 ' +
      `with the result inlined when the simulation completes in time. The body may be at most ${config.bodyLimitBytes} bytes.`,
    tags: ['simulations'],
    request: {
      query: submitQuerySchema(config.maxWaitSec),
      headers: SubmitHeadersSchema,
      body: { schema: ScenarioSchema, description: `A scenario, at most ${config.bodyLimitBytes} bytes of JSON.`, example: EXAMPLE_SCENARIO },
    },
    responses: {
      200: response(
        'The simulation has finished (an earlier submission of the same scenario, or `?wait=` and it finished in time). ' +
          '`result` is present when `?wait=` was given and the simulation completed.',
        { schema: SimulationWithResultSchema, example: { ...completed, result: exampleResult } },
        { Location: LOCATION_HEADER_DOC },
        { rateLimited: true },
      ),
      202: response(
        'Queued or running; poll the Location, follow its events, or submit again with `?wait=`.',
        { schema: SimulationRecordSchema, example: queued },
        { Location: LOCATION_HEADER_DOC, 'Retry-After': RETRY_AFTER_HEADER_DOC },
        { rateLimited: true },
      ),
      400: problemResponse(
        new HttpProblem({ status: 400, code: 'MALFORMED_JSON', detail: 'The request body is not valid JSON.' }),
        SIMULATIONS_PATH,
        { description: 'The body is not JSON (MALFORMED_JSON) or a query parameter or header is invalid (INVALID_PARAMETER).' },
      ),
      413: problemResponse(
        new HttpProblem({
          status: 413,
          code: 'BODY_TOO_LARGE',
          detail: `The request body exceeds the limit of ${config.bodyLimitBytes} bytes.`,
        }),
        SIMULATIONS_PATH,
      ),
      415: problemResponse(unsupportedMediaType('text/plain'), SIMULATIONS_PATH),
      422: problemResponse(
        new HttpProblem({
          status: 422,
          code: 'VALIDATION_FAILED',
          detail: VALIDATION_FAILED_DETAIL,
          errors: [{ path: 'dataset.valueBytes', message: 'must be a whole number of bytes from 1 B to 512.00 MiB, got 1073741824' }],
        }),
        SIMULATIONS_PATH,
        {
          description:
            'The scenario violates the schema (VALIDATION_FAILED); `errors` names each field and its limit. Or the Idempotency-Key was already ' +
            'used by this client with a different body (IDEMPOTENCY_KEY_REUSED): the answer names nothing of that first request.',
          examples: { IDEMPOTENCY_KEY_REUSED: idempotencyKeyReused() },
        },
      ),
      ...common,
    },
    async handle({ service, tuning }, { query, headers, body: scenario }, res, req) {
      const key = headers['idempotency-key'];
      // The fingerprint is of the body as sent (parsed JSON, keys sorted), before defaults are filled in.
      const idempotency = key === undefined ? undefined : { key, scope: clientScope(req), fingerprint: requestFingerprint(req.body) };
      const { record } = await service.submit(scenario, { idempotency });
      let current = record;
      if (query.wait !== undefined && query.wait > 0 && !isFinishedStatus(current.status)) {
        current = (await service.waitUntilFinished(record.id, query.wait * 1000)) ?? current;
      }
      if (!isFinishedStatus(current.status)) return accepted(res, current, tuning.retryAfterSec);
      const result = query.wait !== undefined && current.status === 'completed' ? await service.result(current.id) : undefined;
      res
        .status(200)
        .location(simulationPath(current.id))
        .json(result ? { ...simulationRecord(current), result: { summary: result.summary, series: result.series } } : simulationRecord(current));
    },
  });

  const list = operation({
    method: 'get',
    path: SIMULATIONS_PATH,
    operationId: 'listSimulations',
    summary: 'List recent simulations',
    description: `Newest first, ${LIST_LIMIT_MAX} at most per page; pass \`nextCursor\` back as \`cursor\` for the next page.`,
    tags: ['simulations'],
    request: { query: ListQuerySchema },
    responses: {
      200: response('A page of simulations.', { schema: SimulationListSchema, example: { items: [completed], nextCursor: null } }, {}, { rateLimited: true }),
      400: problemResponse(
        new HttpProblem({
          status: 400,
          code: 'INVALID_PARAMETER',
          detail: 'Invalid query parameter.',
          errors: [{ path: 'limit', message: `Too big: expected number to be <=${LIST_LIMIT_MAX}` }],
        }),
        SIMULATIONS_PATH,
        { description: `limit outside 1–${LIST_LIMIT_MAX}, or a cursor this server did not hand out.` },
      ),
      ...common,
    },
    async handle({ service }, { query }, res) {
      const page = await service.list(query.limit, query.cursor);
      res.json({ items: page.items.map(simulationRecord), nextCursor: page.nextCursor });
    },
  });

  const get = operation({
    method: 'get',
    path: SIMULATION_PATH,
    operationId: 'getSimulation',
    summary: 'Get a simulation’s state',
    description: 'Status, progress (0–1) and, once completed, the summary. The example id is the example scenario’s.',
    tags: ['simulations'],
    request: { params: idParams() },
    notFound: notFoundById,
    responses: {
      200: response('The simulation.', { schema: SimulationRecordSchema, example: completed }, {}, { rateLimited: true }),
      404: notFound,
      ...common,
    },
    async handle({ service }, { params }, res) {
      const record = await service.get(params.id);
      if (!record) throw simulationNotFound(params.id);
      res.json(simulationRecord(record));
    },
  });

  const cancel = operation({
    method: 'delete',
    path: SIMULATION_PATH,
    operationId: 'cancelSimulation',
    summary: 'Cancel a queued or running simulation',
    description:
      'A queued simulation is cancelled at once (200). A running one stops at the engine’s next cancel check: 202, ' +
      'and the record turns cancelled shortly after. A finished simulation cannot be cancelled (409).',
    tags: ['simulations'],
    request: { params: idParams() },
    notFound: notFoundById,
    responses: {
      200: response('Cancelled.', { schema: SimulationRecordSchema, example: { ...queued, status: 'cancelled', finishedAt: completed.finishedAt } }, {}, { rateLimited: true }),
      202: response('Running; it stops at the next cancel check.', { schema: SimulationRecordSchema, example: { ...queued, status: 'running', progress: 0.4 } }, {}, { rateLimited: true }),
      404: notFound,
      409: problemResponse(
        stateConflict('SIMULATION_FINISHED', `Simulation ${id} is already completed; there is nothing to cancel.`, 'completed'),
        simulationPath(id),
        { schema: StateConflictProblemSchema },
      ),
      ...common,
    },
    async handle({ service }, { params }, res) {
      const outcome = await service.cancel(params.id);
      if (outcome.ok) {
        // A running job stops at its next cancel check: 202 until the record says cancelled.
        res.status(outcome.record.status === 'cancelled' ? 200 : 202).json(simulationRecord(outcome.record));
        return;
      }
      if (outcome.reason === 'not-found') throw simulationNotFound(params.id);
      const { status } = outcome.record;
      throw stateConflict('SIMULATION_FINISHED', `Simulation ${params.id} is already ${status}; there is nothing to cancel.`, status);
    },
  });

  return [create, list, get, cancel];
}
