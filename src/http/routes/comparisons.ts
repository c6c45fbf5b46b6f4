// /v1/comparisons: two to eight scenarios side by side, each run as a simulation (so the
// content-hash ids reuse what was simulated before), with every numeric summary field's
// difference against the first scenario. Synchronous by default, as a script expects: the
// request waits for the simulations (up to `?wait=`, by default the longest wait the server
// allows) and answers 200 with the comparison; if they are not done by then it answers 202 with
// each simulation's state, and the same POST again picks up where it was (nothing is run twice).
import { getOpenApiMetadata } from '@asteasolutions/zod-to-openapi';
import { isFinishedStatus, type SimulationStatus } from '../../schemas/api.js';
import { numericSummaryFields } from '../../schemas/summary-fields.js';
import { integerQuery } from '../../schemas/http.js';
import { ComparisonRequestSchema, ComparisonSchema, MAX_COMPARISON_SCENARIOS, MIN_COMPARISON_SCENARIOS, type Comparison } from '../../schemas/sweep.js';
import { ScenarioSchema, type Scenario } from '../../schemas/scenario.js';
import type { Summary } from '../../schemas/result.js';
import { forecast } from '../../advice/forecast.js';
import { simulationId } from '../../service/job-id.js';
import type { SimulationState } from '../../service/simulation-service.js';
import { z } from '../../schemas/zod.js';
import type { HttpConfig } from '../context.js';
import { COMPARISONS_PATH, simulationLinks } from '../links.js';
import { commonProblemResponses, problemResponse, response, RETRY_AFTER_HEADER_DOC } from '../openapi-parts.js';
import { operation, type Operation } from '../operation.js';
import { HttpProblem, VALIDATION_FAILED_DETAIL } from '../problem.js';

/** Every numeric summary field of `other` minus the same field of `baseline`. */
export function summaryDifferences(baseline: Summary, other: Summary): Record<string, number> {
  const base = numericSummaryFields(baseline);
  const differences: Record<string, number> = {};
  for (const [name, value] of Object.entries(numericSummaryFields(other))) {
    if (name in base) differences[name] = value - base[name]!;
  }
  return differences;
}

function overallStatus(statuses: readonly SimulationStatus[]): SimulationStatus {
  for (const status of ['failed', 'cancelled', 'running', 'queued'] as const) if (statuses.includes(status)) return status;
  return 'completed';
}

export function comparison(records: readonly SimulationState[], names: ReadonlyArray<string | undefined>): Comparison {
  const baseline = records[0]!;
  return {
    status: overallStatus(records.map((record) => record.status)),
    progress: Math.round((records.reduce((sum, record) => sum + record.progress, 0) / records.length) * 1e4) / 1e4,
    baseline: baseline.id,
    items: records.map((record, i) => ({
      simulationId: record.id,
      name: names[i] ?? null,
      status: record.status,
      summary: record.summary ?? null,
      differences: baseline.summary && record.summary ? summaryDifferences(baseline.summary, record.summary) : null,
      links: simulationLinks(record.id),
    })),
  };
}

let cachedExample: { request: z.input<typeof ComparisonRequestSchema>; body: Comparison } | undefined;

/** The example request's real figures; the engine runs once per process to fill them in. */
function comparisonExample(): { request: z.input<typeof ComparisonRequestSchema>; body: Comparison } {
  if (cachedExample) return cachedExample;
  const request = getOpenApiMetadata(ComparisonRequestSchema).example as z.input<typeof ComparisonRequestSchema>;
  const scenarios: Scenario[] = request.scenarios.map((input) => ScenarioSchema.parse(input));
  const records: SimulationState[] = scenarios.map((scenario) => ({
    id: simulationId(scenario),
    status: 'completed',
    progress: 1,
    createdAt: '2026-01-01T12:00:00.000Z',
    finishedAt: '2026-01-01T12:00:00.200Z',
    summary: forecast(scenario).summary,
  }));
  cachedExample = { request, body: comparison(records, scenarios.map((scenario) => scenario.name)) };
  return cachedExample;
}

export function comparisonOperations(config: HttpConfig): Operation[] {
  const example = comparisonExample();
  const create = operation({
    method: 'post',
    path: COMPARISONS_PATH,
    operationId: 'createComparison',
    summary: 'Compare two to eight scenarios',
    description:
      `${MIN_COMPARISON_SCENARIOS}–${MAX_COMPARISON_SCENARIOS} scenarios, each run as a simulation (one already simulated is reused). Each item has the summary and ` +
      '`differences`: this scenario’s value minus the first scenario’s for every numeric summary field, nested fields by dotted name (`oom.headroomBytes`). ' +
      `The request waits up to \`?wait=\` seconds (default and most ${config.maxWaitSec}) and answers 200 once all have completed (or one failed); ` +
      'otherwise 202 with each simulation’s state and links: POST the same body again to pick up the comparison, nothing is run twice.',
    tags: ['comparisons'],
    request: {
      query: z.object({
        wait: integerQuery(0, config.maxWaitSec, `Seconds to wait for the simulations (0–${config.maxWaitSec}); 0 answers at once.`, 30).default(
          config.maxWaitSec,
        ),
      }),
      body: { schema: ComparisonRequestSchema, example: example.request },
    },
    responses: {
      200: response('Every simulation finished: completed (with differences), or one failed or was cancelled (`status` says which).', { schema: ComparisonSchema, example: example.body }, {}, { rateLimited: true }),
      202: response(
        'Not finished within the wait: the same body, POSTed again, answers from where it is.',
        {
          schema: ComparisonSchema,
          example: { ...example.body, status: 'running', progress: 0.5, items: example.body.items.map((item, i) => ({ ...item, ...(i === 0 ? {} : { status: 'running', summary: null, differences: null }) })) },
        },
        { 'Retry-After': RETRY_AFTER_HEADER_DOC },
        { rateLimited: true },
      ),
      400: problemResponse(new HttpProblem({ status: 400, code: 'MALFORMED_JSON', detail: 'The request body is not valid JSON.' }), COMPARISONS_PATH),
      413: problemResponse(new HttpProblem({ status: 413, code: 'BODY_TOO_LARGE', detail: `The request body exceeds the limit of ${config.bodyLimitBytes} bytes.` }), COMPARISONS_PATH),
      422: problemResponse(
        new HttpProblem({ status: 422, code: 'VALIDATION_FAILED', detail: VALIDATION_FAILED_DETAIL, errors: [{ path: 'scenarios', message: `Too big: expected array to have <=${MAX_COMPARISON_SCENARIOS} items` }] }),
        COMPARISONS_PATH,
        { description: 'Fewer than two or more than eight scenarios, or a scenario the schema rejects (`scenarios.N.…`).' },
      ),
      ...commonProblemResponses(config.rateLimitPerMin, COMPARISONS_PATH),
    },
    async handle({ service, tuning }, { query, body }, res) {
      const submitted = await Promise.all(body.scenarios.map((scenario) => service.submit(scenario)));
      const deadline = Date.now() + query.wait * 1000;
      const records = await Promise.all(
        submitted.map(async ({ record }) => {
          if (isFinishedStatus(record.status)) return record;
          const left = deadline - Date.now();
          return left > 0 ? ((await service.waitUntilFinished(record.id, left)) ?? record) : ((await service.get(record.id)) ?? record);
        }),
      );
      const answer = comparison(records, body.scenarios.map((scenario) => scenario.name));
      if (!records.every((record) => isFinishedStatus(record.status))) {
        res.status(202).set('Retry-After', String(tuning.retryAfterSec)).json(answer);
        return;
      }
      res.status(200).json(answer);
    },
  });
  return [create];
}
