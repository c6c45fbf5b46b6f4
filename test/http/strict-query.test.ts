import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { smallScenario, testApp } from '../support/http-app.js';

// Every numeric query parameter of every route, with a body where the route needs one.
const NUMERIC_PARAMS: Array<{ method: 'get' | 'post'; path: string; param: string; body?: object }> = [
  { method: 'post', path: '/v1/simulations', param: 'wait', body: smallScenario() },
  { method: 'post', path: '/v1/plans', param: 'wait', body: {} },
  { method: 'post', path: '/v1/sweeps', param: 'wait', body: {} },
  { method: 'post', path: '/v1/comparisons', param: 'wait', body: {} },
  { method: 'get', path: '/v1/simulations', param: 'limit' },
  { method: 'get', path: '/v1/simulations/sim-0000/result', param: 'maxPoints' },
];

describe('numeric query parameters take decimal integers only', () => {
  const { app } = testApp();
  for (const { method, path, param, body } of NUMERIC_PARAMS) {
    for (const raw of ['0x3', '1e1', '+3', '3.0', '', ' 3', '3 ', '0b11', 'Infinity', '1234567890123']) {
      it(`${method.toUpperCase()} ${path}?${param}=${JSON.stringify(raw)} is 400 naming ${param}`, async () => {
        const url = `${path}?${param}=${encodeURIComponent(raw)}`;
        const res = await (method === 'get' ? request(app).get(url) : request(app).post(url).send(body));
        expect(res.status).toBe(400);
        expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
        expect(res.body.code).toBe('INVALID_PARAMETER');
        expect(res.body.errors[0].path).toBe(param);
        expect(res.body.errors[0].message).toMatch(/decimal integer from \d+ to \d+/);
      });
    }
  }

  it('a plain decimal still works: ?limit=3 lists, ?wait=0 submits', async () => {
    const { app } = testApp();
    expect((await request(app).get('/v1/simulations?limit=3')).status).toBe(200);
    expect((await request(app).post('/v1/simulations?wait=0').send(smallScenario())).status).toBe(202);
  });
});
