// Building blocks the route modules use to describe themselves in the OpenAPI document:
// response shapes, the shared headers and examples computed by the engine itself, so the
// document shows real figures for the example scenario rather than invented ones.
import { getOpenApiMetadata, type ResponseConfig, type ZodMediaTypeObject } from '@asteasolutions/zod-to-openapi';
import type { ZodType } from 'zod';
import { forecast } from '../advice/forecast.js';
import { simulationId } from '../service/job-id.js';
import type { SimulationRecord } from '../schemas/api.js';
import { ProblemSchema, SimulationIdSchema } from '../schemas/api.js';
import { SimulationIdParamsSchema } from '../schemas/http.js';
import type { SimulationResult } from '../schemas/result.js';
import { ScenarioSchema, type ScenarioInput } from '../schemas/scenario.js';
import { downsampleSeries } from './downsample.js';
import { simulationPath, simulationRecord } from './links.js';
import { HttpProblem, PROBLEM_CONTENT_TYPE, simulationNotFound, UNAVAILABLE_RETRY_AFTER_SEC } from './problem.js';

export const TAGS = [
  { name: 'simulations', description: 'Submit scenarios, follow their progress and fetch results.' },
  { name: 'sweeps', description: 'A scenario over one or two axes, its points fanned out over every worker.' },
  { name: 'comparisons', description: 'Two to eight scenarios side by side, each field’s difference against the first.' },
  { name: 'presets', description: 'Platform presets and example scenarios.' },
  { name: 'scenarios', description: 'Scenario drafts from an instance’s own figures.' },
  { name: 'plans', description: 'The inverse question: how far a scenario can go on a host.' },
  { name: 'hosts', description: 'Several instances’ forks on one host: the summed timeline and a stagger.' },
  { name: 'operations', description: 'Health, metrics and this document.' },
];

const REQUEST_ID_HEADER_DOC = {
  description: 'The request id: the client’s X-Request-Id when it is 1–128 characters of [A-Za-z0-9._:@/+=-], else a new UUID.',
  schema: { type: 'string' as const },
};

const RATE_LIMIT_HEADERS_DOC = {
  RateLimit: {
    description: 'Remaining quota, IETF draft-ietf-httpapi-ratelimit-headers-08, e.g. `"600-in-1min"; r=599; t=60`.',
    schema: { type: 'string' as const },
  },
  'RateLimit-Policy': {
    description: 'The quota policy, e.g. `"600-in-1min"; q=600; w=60`.',
    schema: { type: 'string' as const },
  },
};

export const LOCATION_HEADER_DOC = { description: 'The simulation’s URL.', schema: { type: 'string' as const } };
export const RETRY_AFTER_HEADER_DOC = { description: 'Seconds to wait before polling again.', schema: { type: 'integer' as const } };

/** A response with a JSON (or other) body; every response carries X-Request-Id. */
export function response(
  description: string,
  content?: { mediaType?: string; schema: NonNullable<ZodMediaTypeObject['schema']>; example?: unknown },
  headers: Record<string, { description: string; schema: { type: 'string' | 'integer' } }> = {},
  options: { rateLimited?: boolean } = {},
): ResponseConfig {
  return {
    description,
    headers: {
      'X-Request-Id': REQUEST_ID_HEADER_DOC,
      ...(options.rateLimited ? RATE_LIMIT_HEADERS_DOC : {}),
      ...headers,
    },
    ...(content
      ? {
          content: {
            [content.mediaType ?? 'application/json']: {
              schema: content.schema,
              ...(content.example === undefined ? {} : { example: content.example }),
            },
          },
        }
      : {}),
  };
}

export function problemResponse(
  problem: HttpProblem,
  instance: string,
  options: {
    description?: string;
    schema?: ZodType;
    headers?: Record<string, { description: string; schema: { type: 'string' | 'integer' } }>;
    rateLimited?: boolean;
    /** Further problems of the same status, shown beside `problem` as named examples. */
    examples?: Record<string, HttpProblem>;
  } = {},
): ResponseConfig {
  const config = response(
    options.description ?? problem.message,
    { mediaType: PROBLEM_CONTENT_TYPE, schema: options.schema ?? ProblemSchema, example: problem.body(instance) },
    options.headers,
    { rateLimited: options.rateLimited ?? false },
  );
  if (!options.examples) return config;
  const all = { [problem.code]: problem, ...options.examples };
  return {
    ...config,
    content: {
      [PROBLEM_CONTENT_TYPE]: {
        schema: options.schema ?? ProblemSchema,
        examples: Object.fromEntries(Object.entries(all).map(([name, p]) => [name, { value: p.body(instance) }])),
      },
    },
  };
}

export const EXAMPLE_SCENARIO = getOpenApiMetadata(ScenarioSchema).example as ScenarioInput;

interface Examples {
  id: string;
  queued: SimulationRecord;
  completed: SimulationRecord;
  result: SimulationResult;
}

let examples: Examples | undefined;

/** Example bodies for the example scenario; the engine runs once per process to fill them in. */
export function exampleBodies(): Examples {
  if (examples) return examples;
  const scenario = ScenarioSchema.parse(EXAMPLE_SCENARIO);
  const id = simulationId(scenario);
  const full = forecast(scenario);
  const result = { summary: full.summary, series: downsampleSeries(full.series, 5) };
  const createdAt = '2026-01-01T12:00:00.000Z';
  const queued = simulationRecord({ id, status: 'queued', progress: 0, createdAt, finishedAt: null });
  const completed: SimulationRecord = {
    ...queued,
    status: 'completed',
    progress: 1,
    finishedAt: '2026-01-01T12:00:00.180Z',
    summary: result.summary,
  };
  examples = { id, queued, completed, result };
  return examples;
}

/** 429 and 503: what any /v1 operation can answer. */
export function commonProblemResponses(rateLimitPerMin: number, instance: string): Record<number, ResponseConfig> {
  return {
    429: problemResponse(
      new HttpProblem({ status: 429, code: 'RATE_LIMITED', detail: `More than ${rateLimitPerMin} requests in a minute; retry after the Retry-After seconds.` }),
      instance,
      {
        headers: { 'Retry-After': RETRY_AFTER_HEADER_DOC },
        rateLimited: true,
        description: `More than ${rateLimitPerMin} requests per minute from this client.`,
      },
    ),
    503: problemResponse(
      new HttpProblem({ status: 503, code: 'SERVICE_UNAVAILABLE', detail: 'The simulation queue is unavailable; retry shortly.' }),
      instance,
      {
        headers: { 'Retry-After': RETRY_AFTER_HEADER_DOC },
        description: `Redis does not answer; every call gives up within seconds. Retry after ${UNAVAILABLE_RETRY_AFTER_SEC} s.`,
      },
    ),
  };
}

export function notFoundResponse(): ResponseConfig {
  const unknown = 'sim-0000000000000000';
  return problemResponse(simulationNotFound(unknown), simulationPath(unknown), { description: 'No simulation has this id.' });
}

/** The {id} path parameter, with the example scenario's id as its example. */
export function idParams() {
  return SimulationIdParamsSchema.extend({ id: SimulationIdSchema.openapi({ example: exampleBodies().id }) });
}
