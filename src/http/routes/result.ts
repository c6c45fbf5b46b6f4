// /v1/simulations/{id}/result: the summary and series of a completed simulation, as JSON or
// the series as CSV, optionally downsampled.
import { resultToCsv } from '../../schemas/series-csv.js';
import { resultQuerySchema, StateConflictProblemSchema } from '../../schemas/http.js';
import { SimulationResultSchema } from '../../schemas/result.js';
import type { HttpConfig } from '../context.js';
import { downsampleSeries } from '../downsample.js';
import { RESULT_PATH, simulationLinks } from '../links.js';
import { commonProblemResponses, exampleBodies, idParams, notFoundResponse, problemResponse, response, RETRY_AFTER_HEADER_DOC } from '../openapi-parts.js';
import { operation, type Operation } from '../operation.js';
import { HttpProblem, simulationNotFound, stateConflict } from '../problem.js';
import { notFoundById } from './shared.js';

export function resultOperations(config: HttpConfig): Operation[] {
  const example = exampleBodies();
  const instance = simulationLinks(example.id).result;
  const getResult = operation({
    method: 'get',
    path: RESULT_PATH,
    operationId: 'getSimulationResult',
    summary: 'Get a completed simulation’s summary and series',
    description:
      'The series is columnar: one array per quantity, all of the same length. `?format=csv` gives the series as CSV: first the verdict, ' +
      'headline figures, warnings and advice as `#` comment lines (read it with a comment option: pandas `comment=\'#\'`), then a header row ' +
      `of the column names. \`?maxPoints=\` (3–${config.maxPoints}) thins the series and keeps the peak copy-on-write sample.`,
    tags: ['simulations'],
    request: {
      params: idParams(),
      query: resultQuerySchema(config.maxPoints),
    },
    notFound: notFoundById,
    responses: {
      200: {
        ...response('The result.', { schema: SimulationResultSchema, example: example.result }, {}, { rateLimited: true }),
        content: {
          'application/json': { schema: SimulationResultSchema, example: example.result },
          'text/csv': { schema: { type: 'string' }, example: resultToCsv(example.result) },
        },
      },
      400: problemResponse(
        new HttpProblem({
          status: 400,
          code: 'INVALID_PARAMETER',
          detail: 'Invalid query parameter.',
          errors: [{ path: 'maxPoints', message: `Too big: expected number to be <=${config.maxPoints}` }],
        }),
        instance,
      ),
      404: notFoundResponse(),
      409: problemResponse(
        stateConflict('SIMULATION_NOT_COMPLETED', `Simulation ${example.id} is running; the result exists once it has completed.`, 'running'),
        instance,
        { schema: StateConflictProblemSchema, headers: { 'Retry-After': RETRY_AFTER_HEADER_DOC }, description: 'Not completed (yet): `simulationStatus` says where it is.' },
      ),
      410: problemResponse(
        new HttpProblem({ status: 410, code: 'RESULT_EXPIRED', detail: `The result of ${example.id} has expired; submit the scenario again.` }),
        instance,
      ),
      ...commonProblemResponses(config.rateLimitPerMin, instance),
    },
    async handle({ service, tuning }, { params: { id }, query }, res) {
      const record = await service.get(id);
      if (!record) throw simulationNotFound(id);
      if (record.status !== 'completed') {
        const pending = record.status === 'queued' || record.status === 'running';
        throw stateConflict(
          'SIMULATION_NOT_COMPLETED',
          `Simulation ${id} is ${record.status}; the result exists once it has completed.`,
          record.status,
          pending ? { 'Retry-After': String(tuning.retryAfterSec) } : {},
        );
      }
      const result = await service.result(id);
      if (!result) {
        throw new HttpProblem({ status: 410, code: 'RESULT_EXPIRED', detail: `The result of ${id} has expired; submit the scenario again.` });
      }
      const series = query.maxPoints === undefined ? result.series : downsampleSeries(result.series, query.maxPoints);
      if (query.format === 'csv') {
        res.type('text/csv; charset=utf-8').attachment(`${id}.csv`).send(resultToCsv({ summary: result.summary, series }));
        return;
      }
      res.json({ summary: result.summary, series });
    },
  });
  return [getResult];
}
