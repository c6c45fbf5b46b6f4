import { describe, expect, it } from 'vitest';
import { EngineError } from '../engine/errors.js';
import { ScenarioSchema } from '../schemas/scenario.js';
import { InvalidCursorError, ServiceUnavailableError } from '../service/errors.js';
import { HttpProblem, toProblem, UNAVAILABLE_RETRY_AFTER_SEC, validationProblem } from './problem.js';

const options = { bodyLimitBytes: 1024 };

describe('toProblem', () => {
  it('maps body-parser failures to 400, 413 and 415', () => {
    expect(toProblem({ type: 'entity.parse.failed', status: 400 }, options)).toMatchObject({ status: 400, code: 'MALFORMED_JSON' });
    const tooLarge = toProblem({ type: 'entity.too.large', status: 413, limit: 1024 }, options);
    expect(tooLarge).toMatchObject({ status: 413, code: 'BODY_TOO_LARGE' });
    expect(tooLarge.message).toContain('1024 bytes');
    expect(toProblem({ type: 'encoding.unsupported', status: 415 }, options)).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
  });

  it('maps engine size errors to 422 naming the field', () => {
    const problem = toProblem(new EngineError('SCENARIO_TOO_LARGE', 'dataset of 1e12 keys exceeds the 4 TiB limit', ['dataset']), options);
    expect(problem.status).toBe(422);
    expect(problem.code).toBe('SCENARIO_TOO_LARGE');
    expect(problem.errors).toEqual([{ path: 'dataset', message: 'dataset of 1e12 keys exceeds the 4 TiB limit' }]);
  });

  it('maps the service’s errors by their class: unavailable to 503 with Retry-After, a bad cursor to 400', () => {
    const unavailable = toProblem(new ServiceUnavailableError('Redis is unavailable: connect ECONNREFUSED 127.0.0.1:6379'), options);
    expect(unavailable).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
    expect(unavailable.headers['Retry-After']).toBe(String(UNAVAILABLE_RETRY_AFTER_SEC));
    expect(JSON.stringify(unavailable.body('/x'))).not.toContain('6379');
    const cursor = toProblem(new InvalidCursorError(), options);
    expect(cursor).toMatchObject({ status: 400, code: 'INVALID_PARAMETER', errors: [{ path: 'cursor' }] });
  });

  it('knows nothing of the store behind the service: look-alikes by name or code are internal errors', () => {
    expect(toProblem(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), options).status).toBe(500);
    expect(toProblem(Object.assign(new Error('x'), { name: 'ServiceUnavailableError', code: 'SERVICE_UNAVAILABLE' }), options).status).toBe(500);
    expect(toProblem(Object.assign(new Error('x'), { code: 'INVALID_CURSOR' }), options).status).toBe(500);
  });

  it('keeps other client errors and hides everything else behind a 500', () => {
    expect(toProblem(Object.assign(new URIError('URI malformed'), { status: 400 }), options)).toMatchObject({ status: 400 });
    const internal = toProblem(new Error('secret database password in message'), options);
    expect(internal.status).toBe(500);
    expect(JSON.stringify(internal.body('/x'))).not.toContain('secret');
  });

  it('passes HttpProblems through unchanged', () => {
    const problem = new HttpProblem({ status: 409, code: 'X', detail: 'y' });
    expect(toProblem(problem, options)).toBe(problem);
  });
});

describe('problem bodies', () => {
  it('follow RFC 9457 with the code and extension members', () => {
    const body = new HttpProblem({ status: 409, code: 'SIMULATION_FINISHED', detail: 'done', extensions: { simulationStatus: 'completed' } }).body(
      '/v1/simulations/sim-1',
    );
    expect(body).toEqual({
      type: 'about:blank',
      title: 'Conflict',
      status: 409,
      detail: 'done',
      instance: '/v1/simulations/sim-1',
      code: 'SIMULATION_FINISHED',
      simulationStatus: 'completed',
    });
  });

  it('list each bad field of a scenario with its dotted path and limit', () => {
    const parsed = ScenarioSchema.safeParse({ dataset: { keys: 10, valueBytes: '1GiB' }, workload: { writesPerSec: 2e7 } });
    expect(parsed.success).toBe(false);
    const problem = validationProblem(parsed.error!, 'body');
    expect(problem.status).toBe(422);
    const byPath = Object.fromEntries(problem.errors!.map((e) => [e.path, e.message]));
    expect(byPath['dataset.valueBytes']).toContain('512.00 MiB');
    expect(byPath['workload.writesPerSec']).toContain('10000000');
  });
});
