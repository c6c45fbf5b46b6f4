// /v1/plans and /v1/hosts: the inverse question and whole hosts, queued as jobs like
// simulations (202 + Location, `?wait=N`, a content-hash id) and read back with their result.
import type { Response } from 'express';
import { isFinishedStatus } from '../../schemas/api.js';
import { submitQuerySchema } from '../../schemas/http.js';
import { HostPlanRecordSchema, HostRequestSchema, PlanningIdSchema, PlanRecordSchema, PlanRequestSchema } from '../../schemas/planning.js';
import { z } from '../../schemas/zod.js';
import { getOpenApiMetadata } from '@asteasolutions/zod-to-openapi';
import { planHost } from '../../planning/host.js';
import { plan } from '../../planning/plan.js';
import { planningId } from '../../service/job-id.js';
import { ServiceUnavailableError } from '../../service/errors.js';
import type { PlanningKind, PlanningService, PlanningState } from '../../service/planning-service.js';
import type { HttpConfig, RouteContext } from '../context.js';
import { commonProblemResponses, LOCATION_HEADER_DOC, problemResponse, response, RETRY_AFTER_HEADER_DOC } from '../openapi-parts.js';
import { operation, type Operation } from '../operation.js';
import { HttpProblem, VALIDATION_FAILED_DETAIL } from '../problem.js';

export const PLANS_PATH = '/v1/plans';
export const HOSTS_PATH = '/v1/hosts';

interface Kind {
  kind: PlanningKind;
  collection: string;
  noun: string;
  tag: string;
  requestSchema: typeof PlanRequestSchema | typeof HostRequestSchema;
  recordSchema: typeof PlanRecordSchema | typeof HostPlanRecordSchema;
  operationNoun: string;
  invalid: { path: string; message: string };
  description: string;
}

const KINDS: readonly Kind[] = [
  {
    kind: 'plan',
    collection: PLANS_PATH,
    noun: 'plan',
    tag: 'plans',
    requestSchema: PlanRequestSchema,
    recordSchema: PlanRecordSchema,
    operationNoun: 'Plan',
    invalid: { path: 'host.memoryBytes', message: 'required for question max-dataset' },
    description:
      'Answers a capacity question about the base scenario on a host: the largest dataset, the highest write rate, the slowest save, the smallest host or the maxmemory to set, ' +
      'such that the engine’s OOM peak stays within memoryBytes × (1 − headroomPercent / 100). Searched over the engine in expected mode, checked in exact mode where affordable, ' +
      'with the cloud providers’ rules of thumb beside the answer.',
  },
  {
    kind: 'host',
    collection: HOSTS_PATH,
    noun: 'host plan',
    tag: 'hosts',
    requestSchema: HostRequestSchema,
    recordSchema: HostPlanRecordSchema,
    operationNoun: 'HostPlan',
    invalid: { path: 'instances', message: 'Too big: expected array to have <=64 items' },
    description:
      'Sums the memory of several instances on one host over a horizon, every fork event of every instance placed at its start, and answers the peak and when, ' +
      'the forks that overlap, and the stagger of first-snapshot offsets that lowers the peak most.',
  },
];

const pathOf = (collection: string, id: string) => `${collection}/${id}`;

const exampleResults = new Map<PlanningKind, PlanningState['result']>();

/** The example request answered by the planning core itself, once per process. */
function exampleResult(k: Kind, request: unknown): PlanningState['result'] {
  let result = exampleResults.get(k.kind);
  if (!result) {
    result = k.kind === 'plan' ? plan(PlanRequestSchema.parse(request)) : planHost(HostRequestSchema.parse(request));
    exampleResults.set(k.kind, result);
  }
  return result;
}

function record(k: Kind, state: PlanningState) {
  const { id, status, progress, createdAt, finishedAt, error, result } = state;
  return { id, status, progress, createdAt, finishedAt, ...(error ? { error } : {}), links: { self: pathOf(k.collection, id) }, ...(result ? { result } : {}) };
}

const notFound = (k: Kind, id: string) => new HttpProblem({ status: 404, code: `${k.kind.toUpperCase()}_NOT_FOUND`, detail: `No ${k.noun} with id ${JSON.stringify(id)}.` });

function planning(context: RouteContext): PlanningService {
  if (!context.planning) throw new ServiceUnavailableError('planning is not configured on this server');
  return context.planning;
}

function kindOperations(k: Kind, config: HttpConfig): Operation[] {
  const example = getOpenApiMetadata(k.requestSchema).example;
  const exampleId = planningId(k.kind, k.requestSchema.parse(example));
  const selfPath = `${k.collection}/{id}`;
  const common = commonProblemResponses(config.rateLimitPerMin, k.collection);
  const queued = record(k, { id: exampleId, status: 'queued', progress: 0, createdAt: '2026-01-01T12:00:00.000Z', finishedAt: null });
  const completed = record(k, { id: exampleId, status: 'completed', progress: 1, createdAt: '2026-01-01T12:00:00.000Z', finishedAt: '2026-01-01T12:00:00.400Z', result: exampleResult(k, example) });
  const params = z.object({ id: PlanningIdSchema.openapi({ example: exampleId }) });
  const notFoundDoc = problemResponse(notFound(k, `${k.kind}-0000000000000000`), pathOf(k.collection, `${k.kind}-0000000000000000`), { description: `No ${k.noun} has this id.` });
  const accepted = (res: Response, state: PlanningState, retryAfterSec: number) =>
    res.status(202).location(pathOf(k.collection, state.id)).set('Retry-After', String(retryAfterSec)).json(record(k, state));

  const create = operation({
    method: 'post',
    path: k.collection,
    operationId: `create${k.operationNoun}`,
    summary: `Submit a ${k.noun}`,
    description:
      `${k.description} Queued as a job: 202 with a Location to poll; the id is a hash of the request as parsed, so the same request is answered once and then from the store (200). ` +
      `With \`?wait=N\` the request waits up to N seconds and answers 200 with the result when it completes in time.`,
    tags: [k.tag],
    request: { query: submitQuerySchema(config.maxWaitSec), body: { schema: k.requestSchema, description: `At most ${config.bodyLimitBytes} bytes of JSON.`, example } },
    responses: {
      200: response(`The ${k.noun} has finished; \`result\` when it completed.`, { schema: k.recordSchema, example: completed }, { Location: LOCATION_HEADER_DOC }, { rateLimited: true }),
      202: response('Queued or running; poll the Location, or submit again with `?wait=`.', { schema: k.recordSchema, example: queued }, { Location: LOCATION_HEADER_DOC, 'Retry-After': RETRY_AFTER_HEADER_DOC }, { rateLimited: true }),
      400: problemResponse(new HttpProblem({ status: 400, code: 'MALFORMED_JSON', detail: 'The request body is not valid JSON.' }), k.collection, {
        description: 'The body is not JSON (MALFORMED_JSON) or a query parameter is invalid (INVALID_PARAMETER).',
      }),
      413: problemResponse(new HttpProblem({ status: 413, code: 'BODY_TOO_LARGE', detail: `The request body exceeds the limit of ${config.bodyLimitBytes} bytes.` }), k.collection),
      422: problemResponse(new HttpProblem({ status: 422, code: 'VALIDATION_FAILED', detail: VALIDATION_FAILED_DETAIL, errors: [k.invalid] }), k.collection, {
        description: 'The request violates the schema; `errors` names each field and its limit.',
      }),
      ...common,
    },
    async handle(context, { query, body }, res) {
      const service = planning(context);
      const { state } = await service.submitPlanning(k.kind, body as never);
      let current: PlanningState = state;
      if (query.wait !== undefined && query.wait > 0 && !isFinishedStatus(current.status)) {
        current = (await service.waitPlanning(k.kind, state.id, query.wait * 1000)) ?? current;
      }
      if (!isFinishedStatus(current.status)) return accepted(res, current, context.tuning.retryAfterSec);
      res.status(200).location(pathOf(k.collection, current.id)).json(record(k, current));
    },
  });

  const get = operation({
    method: 'get',
    path: selfPath,
    operationId: `get${k.operationNoun}`,
    summary: `Get a ${k.noun}`,
    description: `Status, progress (0–1) and, once completed, the result. The example id is the example request’s.`,
    tags: [k.tag],
    request: { params },
    notFound: (p) => notFound(k, String(p.id)),
    responses: {
      200: response(`The ${k.noun}.`, { schema: k.recordSchema, example: completed }, {}, { rateLimited: true }),
      404: notFoundDoc,
      ...common,
    },
    async handle(context, { params: { id } }, res) {
      const state = await planning(context).getPlanning(k.kind, id);
      if (!state) throw notFound(k, id);
      res.json(record(k, state));
    },
  });
  return [create, get];
}

export function planningOperations(config: HttpConfig): Operation[] {
  return KINDS.flatMap((k) => kindOperations(k, config));
}
