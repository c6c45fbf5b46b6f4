import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import request from 'supertest';
import { describe, expect, it, vi } from 'vitest';
import { ProblemSchema } from '../../src/schemas/api.js';
import { ServiceUnavailableError } from '../../src/service/errors.js';
import { smallScenario, testApp } from '../support/http-app.js';

function expectProblem(res: request.Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
  const problem = ProblemSchema.parse(res.body);
  expect(problem).toMatchObject({ type: 'about:blank', status, code });
  expect(res.text).not.toMatch(/\bat .+\.(ts|js):\d+/);
  return problem;
}

describe('problem+json errors', () => {
  it('400 for malformed JSON', async () => {
    const { app } = testApp();
    const res = await request(app).post('/v1/simulations').set('Content-Type', 'application/json').send('{"dataset": {');
    expectProblem(res, 400, 'MALFORMED_JSON');
  });

  it('413 for a body over BODY_LIMIT_BYTES, naming the limit', async () => {
    const { app } = testApp({ config: { bodyLimitBytes: 2048 } });
    const res = await request(app)
      .post('/v1/simulations')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ ...smallScenario(), name: 'x'.repeat(4000) }));
    const problem = expectProblem(res, 413, 'BODY_TOO_LARGE');
    expect(problem.detail).toContain('2048 bytes');
  });

  it('413 also when the body arrives chunked without a Content-Length', async () => {
    const { app } = testApp({ config: { bodyLimitBytes: 2048 } });
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/v1/simulations', headers: { 'Content-Type': 'application/json' } }, (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode!, text }));
        });
        req.on('error', reject);
        req.write('{"name":"');
        for (let i = 0; i < 10; i++) req.write('y'.repeat(500));
        req.end('"}');
      });
      expect(status).toBe(413);
      expect(JSON.parse(text)).toMatchObject({ code: 'BODY_TOO_LARGE' });
    } finally {
      server.close();
    }
  });

  it('415 for a body that is not JSON, and for none at all', async () => {
    const { app } = testApp();
    expectProblem(await request(app).post('/v1/simulations').set('Content-Type', 'text/plain').send('dataset=1'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectProblem(await request(app).post('/v1/simulations').type('form').send({ a: 1 }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectProblem(await request(app).post('/v1/simulations'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    // +json media types are JSON too.
    await request(app).post('/v1/simulations').set('Content-Type', 'application/vnd.forkcast+json').send(JSON.stringify(smallScenario())).expect(202);
  });

  it('422 naming each bad field with its path and limit', async () => {
    const { app } = testApp();
    const res = await request(app)
      .post('/v1/simulations')
      .send({ dataset: { usedMemoryBytes: '64MiB', valueBytes: '1GiB' }, workload: { writesPerSec: 2e7, bogus: 1 } });
    const problem = expectProblem(res, 422, 'VALIDATION_FAILED');
    const byPath = Object.fromEntries(problem.errors!.map((e) => [e.path, e.message]));
    expect(byPath['dataset.valueBytes']).toMatch(/512\.00 MiB/);
    expect(byPath['workload.writesPerSec']).toMatch(/10000000/);
    expect(byPath.workload).toMatch(/bogus/);
  });

  it('422 for JSON that is not an object', async () => {
    const { app } = testApp();
    for (const body of ['null', '42', '"scenario"', '[]']) {
      const res = await request(app).post('/v1/simulations').set('Content-Type', 'application/json').send(body);
      expectProblem(res, 422, 'VALIDATION_FAILED');
    }
  });

  it('404 for unknown routes and 405 with Allow for known ones with the wrong method', async () => {
    const { app } = testApp();
    expectProblem(await request(app).get('/v2/simulations'), 404, 'ROUTE_NOT_FOUND');
    const res = await request(app).put('/v1/simulations');
    expectProblem(res, 405, 'METHOD_NOT_ALLOWED');
    expect(res.headers.allow).toBe('GET, POST');
    expect((await request(app).post('/v1/simulations/sim-0000000000000000')).headers.allow).toBe('GET, DELETE');
  });

  it('400 for a path with a broken percent-escape', async () => {
    const { app } = testApp();
    expectProblem(await request(app).get('/v1/simulations/%E0%A4%A'), 400, 'BAD_REQUEST');
  });

  it('503 quickly when the service cannot reach its store, 500 without details for a bug', async () => {
    const { app, service } = testApp();
    const refused = new ServiceUnavailableError('Redis is unavailable: connect ECONNREFUSED 127.0.0.1:6379');
    vi.spyOn(service, 'submit').mockRejectedValueOnce(refused);
    const unavailable = await request(app).post('/v1/simulations').send(smallScenario());
    expectProblem(unavailable, 503, 'SERVICE_UNAVAILABLE');
    expect(unavailable.headers['retry-after']).toBe('5');
    expect(unavailable.text).not.toContain('6379');

    service.available = false;
    for (const path of ['/v1/simulations', '/v1/simulations/sim-0000000000000001', '/v1/simulations/sim-0000000000000001/result']) {
      expectProblem(await request(app).get(path), 503, 'SERVICE_UNAVAILABLE');
    }
    expectProblem(await request(app).get('/readyz'), 503, 'NOT_READY');
    service.available = true;

    vi.spyOn(service, 'get').mockRejectedValueOnce(new TypeError('secret is undefined'));
    const bug = await request(app).get('/v1/simulations/sim-0000000000000001');
    expectProblem(bug, 500, 'INTERNAL');
    expect(bug.text).not.toContain('secret');
  });

  it('503 within the deadline when the service hangs', async () => {
    const { app, service } = testApp({ tuning: { serviceTimeoutMs: 200 } });
    vi.spyOn(service, 'get').mockReturnValue(new Promise(() => {}));
    const started = Date.now();
    expectProblem(await request(app).get('/v1/simulations/sim-0000000000000001'), 503, 'SERVICE_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('429 with draft-8 RateLimit headers and Retry-After past the limit; probes are not limited', async () => {
    const { app } = testApp({ config: { rateLimitPerMin: 3 } });
    for (let i = 0; i < 3; i++) {
      const ok = await request(app).get('/v1/presets').expect(200);
      expect(ok.headers['ratelimit-policy']).toMatch(/^"3-in-1min"; q=3; w=60/);
      expect(ok.headers.ratelimit).toMatch(new RegExp(`r=${2 - i}`));
    }
    const limited = await request(app).get('/v1/presets');
    expectProblem(limited, 429, 'RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers.ratelimit).toMatch(/r=0/);
    await request(app).get('/livez').expect(200);
  });

  it('gives 200 malformed, oversized and random requests a 4xx problem and keeps serving', async () => {
    const { app } = testApp({ config: { bodyLimitBytes: 4096 } });
    const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
    // Every path is wrong for GET too (a list with limit=0 is out of range).
    const paths = ['/v1/simulations?limit=0', '/v1/simulations/sim-0000000000000000', '/v1/simulations/%ZZ', '/v1/simulations/x/result', '/v1/nope', '/v1/simulations?wait=-1&limit=0', '/v1/presets/x'];
    const contentTypes = ['application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1'];
    const bodies = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.json().map((text) => text),
      fc.jsonValue().map((value) => JSON.stringify({ dataset: value })),
      fc.string({ minLength: 4097, maxLength: 6000 }),
      fc.constant('{"dataset":{"keys":1e99,"valueBytes":"9TB"}}'),
      fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
    );
    const cases = fc.sample(
      fc.record({
        // Half of them aim at the endpoint that reads bodies.
        method: fc.oneof(fc.constant('POST' as const), fc.constantFrom(...methods)),
        path: fc.oneof(fc.constant(paths[0]!), fc.constantFrom(...paths)),
        contentType: fc.constantFrom(...contentTypes),
        body: bodies,
      }),
      { numRuns: 200, seed: 20260101 },
    );
    const statuses = new Map<number, number>();
    for (const c of cases) {
      const res = await request(app)[c.method.toLowerCase() as 'get'](c.path).set('Content-Type', c.contentType).send(c.body);
      expect(res.status, `${c.method} ${c.path} ${c.contentType}`).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(typeof res.body.code).toBe('string');
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    }
    expect(cases).toHaveLength(200);
    // The mix reaches the interesting failures, not only 404s.
    for (const status of [400, 404, 405, 413, 415, 422]) expect(statuses.get(status) ?? 0, `status ${status}`).toBeGreaterThan(0);
    await request(app).get('/livez').expect(200);
  });
});
