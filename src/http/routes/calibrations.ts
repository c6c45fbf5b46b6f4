// /v1/calibrations: fit a platform preset (fork µs per GiB, copy-on-write fault cost) to a
// host's own observed forks, the same fit `forkcast calibrate` prints. Pure and fast: no queue.
import { CalibrationBodySchema, CalibrationRequestSchema, CalibrationResultSchema, calibrationRequestOf } from '../../schemas/calibration.js';
import { calibrate } from '../../calibration/calibrate.js';
import type { HttpConfig } from '../context.js';
import { commonProblemResponses, problemResponse, response } from '../openapi-parts.js';
import { operation, type Operation } from '../operation.js';
import { HttpProblem, unsupportedMediaType, VALIDATION_FAILED_DETAIL } from '../problem.js';

const PATH = '/v1/calibrations';
const EXAMPLE_REQUEST = {
  observations: [
    { label: 'cache-a', usedMemoryRssBytes: '1GiB', latestForkUsec: 61_000 },
    { label: 'cache-b', usedMemoryRssBytes: '4GiB', latestForkUsec: 236_000 },
    { label: 'cache-c', usedMemoryRssBytes: '2GiB', latestForkUsec: 118_000 },
    { label: 'cache-c after restart', usedMemoryRssBytes: '2GiB', latestForkUsec: 201_000, writablePteShare: 1 },
  ],
  id: 'my-hosts',
};

export function calibrationOperations(config: HttpConfig): Operation[] {
  const fit = operation({
    method: 'post',
    path: PATH,
    operationId: 'createCalibration',
    summary: 'Fit a platform preset to observed forks',
    description:
      'Takes INFO observations (used_memory_rss and latest_fork_usec, optionally the share written since the previous fork — ' +
      '1 for a first fork — and copy-on-write fault counts with the parent’s system CPU) and returns a preset with the fit quality. Use `scenarioKernel` as a scenario’s `kernel` overrides. ' +
      'The body is a CalibrationRequest, or the bare list of observations `forkcast calibrate` reads (then the preset id is `calibrated`). ' +
      `At most 10000 observations and ${config.bodyLimitBytes} bytes.`,
    tags: ['presets'],
    request: {
      body: { schema: CalibrationBodySchema, example: EXAMPLE_REQUEST },
    },
    responses: {
      200: response('The fitted preset and how well it fits.', { schema: CalibrationResultSchema, example: calibrate(CalibrationRequestSchema.parse(EXAMPLE_REQUEST)) }, {}, { rateLimited: true }),
      400: problemResponse(new HttpProblem({ status: 400, code: 'MALFORMED_JSON', detail: 'The request body is not valid JSON.' }), PATH),
      413: problemResponse(
        new HttpProblem({ status: 413, code: 'BODY_TOO_LARGE', detail: `The request body exceeds the limit of ${config.bodyLimitBytes} bytes.` }),
        PATH,
      ),
      415: problemResponse(unsupportedMediaType('text/plain'), PATH),
      422: problemResponse(
        new HttpProblem({
          status: 422,
          code: 'VALIDATION_FAILED',
          detail: VALIDATION_FAILED_DETAIL,
          errors: [{ path: 'observations.0.latestForkUsec', message: 'Too small: expected number to be >0' }],
        }),
        PATH,
        { description: 'A field violates the schema; `errors` names each one and its limit.' },
      ),
      429: commonProblemResponses(config.rateLimitPerMin, PATH)[429]!,
    },
    handle(_context, { body }, res) {
      res.json(calibrate(calibrationRequestOf(body)));
    },
  });
  return [fit];
}
