// Schemas that exist only at the HTTP edge: query parameters, headers and the bodies the API
// wraps around the engine's contract. Limits that come from configuration are parameters of
// the factories, so the OpenAPI document states the limits the server enforces.
import { PlatformPresetSchema } from './calibration.js';
import { ProblemSchema, SimulationIdSchema, SimulationRecordSchema, SimulationStatusSchema } from './api.js';
import { SimulationResultSchema } from './result.js';
import { ScenarioSchema } from './scenario.js';
import { servedAsWritten, z } from './zod.js';

export const LIST_LIMIT_MAX = 100;
export const LIST_LIMIT_DEFAULT = 20;
/** Fewer points could not hold the first, the last and the peak copy-on-write sample. */
export const DOWNSAMPLE_MIN_POINTS = 3;

/** Longest digit string an integer query parameter takes: every bound here is below 1e9. */
const INTEGER_QUERY_MAX_DIGITS = 9;

/**
 * An integer query parameter, written in decimal digits only: `0x3`, `1e1`, `+3`, `3.0` and
 * an empty value are refused rather than read as numbers. The OpenAPI document gets the bounds
 * spelled out, as the parse from a string would not show them.
 */
export function integerQuery(min: number, max: number, description: string, example: number) {
  return z
    .string()
    .regex(
      new RegExp(`^[0-9]{1,${INTEGER_QUERY_MAX_DIGITS}}$`),
      `expected a decimal integer from ${min} to ${max} (digits only)`,
    )
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .openapi({ type: 'integer', minimum: min, maximum: max, description, example });
}

export const SimulationIdParamsSchema = z.object({ id: SimulationIdSchema });

export function submitQuerySchema(maxWaitSec: number) {
  return z.object({
    wait: integerQuery(
      0,
      maxWaitSec,
      `Long poll: wait up to this many seconds (0–${maxWaitSec}) for the simulation to finish. ` +
        'When it completes in time the answer is 200 with the result inlined; otherwise the usual 202.',
      10,
    ).optional(),
  });
}

export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;

export const IdempotencyKeySchema = z
  .string()
  .min(1)
  .max(IDEMPOTENCY_KEY_MAX_LENGTH)
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces')
  .openapi({
    // No example: the explorer would fill it in, and the key would then decide the id instead
    // of the scenario, so the example id of the other operations would not be found.
    description:
      `Client-chosen key (1–${IDEMPOTENCY_KEY_MAX_LENGTH} printable ASCII characters), as draft-ietf-httpapi-idempotency-key-header describes: ` +
      'a retried POST with the same key and the same body (compared as canonical JSON, by SHA-256) returns the same simulation; ' +
      'the same key with a different body is refused with 422 IDEMPOTENCY_KEY_REUSED. A key belongs to its client (today the client ' +
      'address; the API key once API keys are configured): two clients choosing the same key get separate simulations. A key is ' +
      'remembered as long as its simulation record (RESULT_TTL_SEC after its last change).',
  });

/** As clients write it; the HTTP layer matches header names case-insensitively. */
export const SubmitHeadersSchema = z.object({ 'Idempotency-Key': IdempotencyKeySchema.optional() });

export function resultQuerySchema(maxPoints: number) {
  return z.object({
    format: z
      .enum(['json', 'csv'])
      .default('json')
      .openapi({ description: 'json: `{ summary, series }`; csv: the series only, one header row of column names.' }),
    maxPoints: integerQuery(
      DOWNSAMPLE_MIN_POINTS,
      maxPoints,
      `Downsample the series to at most this many points (${DOWNSAMPLE_MIN_POINTS}–${maxPoints}), keeping the first, ` +
        'the last and the peak copy-on-write sample; faultStallMs is summed over the samples it replaces.',
      200,
    ).optional(),
  });
}

export const ListQuerySchema = z.object({
  limit: integerQuery(1, LIST_LIMIT_MAX, `Page size, 1–${LIST_LIMIT_MAX}.`, LIST_LIMIT_DEFAULT).default(LIST_LIMIT_DEFAULT),
  cursor: z
    .string()
    .min(1)
    .max(512)
    .optional()
    .openapi({ description: 'The `nextCursor` of the previous page; absent for the first page.' }),
});

export const SimulationWithResultSchema = SimulationRecordSchema.extend({
  result: SimulationResultSchema.optional().openapi({
    description: 'Present when the request asked to wait (`?wait=`) and the simulation completed.',
  }),
}).openapi('SimulationWithResult');

export const StateConflictProblemSchema = ProblemSchema.extend({
  simulationStatus: SimulationStatusSchema,
}).openapi('StateConflictProblem', { description: 'RFC 9457 problem details for a request the simulation’s state forbids.' });

export const ExampleScenarioSchema = z
  .object({
    id: z.string().openapi({ description: 'File name without .json.', example: 'cache-small-values' }),
    scenario: servedAsWritten(ScenarioSchema),
  })
  .openapi('ExampleScenario', { description: 'A scenario ready to POST to /v1/simulations.' });

export const PresetsSchema = z
  .object({ platforms: z.array(PlatformPresetSchema), examples: z.array(ExampleScenarioSchema) })
  .openapi('Presets');

export const LivenessSchema = z.object({ status: z.literal('ok') }).openapi('Liveness');
export const ReadinessSchema = z.object({ status: z.literal('ready') }).openapi('Readiness');

export type SubmitQuery = z.infer<ReturnType<typeof submitQuerySchema>>;
export type ResultQuery = z.infer<ReturnType<typeof resultQuerySchema>>;
export type ListQuery = z.infer<typeof ListQuerySchema>;
export type SimulationWithResult = z.infer<typeof SimulationWithResultSchema>;
/** Examples are served as written (sizes like "8GiB" intact), so they are scenario input. */
export type ExampleScenario = z.input<typeof ExampleScenarioSchema>;
