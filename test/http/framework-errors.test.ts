import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { ProblemSchema } from '../../src/schemas/api.js';
import { testApp } from '../support/http-app.js';

// What body-parser, raw-body and express's router throw, each as problem+json with a code.
describe('framework errors are problem+json with a code', () => {
  const { app } = testApp({ config: { bodyLimitBytes: 2048 } });
  const cases: Array<{ name: string; send: () => request.Test; status: number; code: string }> = [
    { name: 'an unknown Content-Encoding', send: () => request(app).post('/v1/simulations').set('Content-Type', 'application/json').set('Content-Encoding', 'zstd-x').send('{}'), status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
    { name: 'a charset other than UTF-8', send: () => request(app).post('/v1/simulations').set('Content-Type', 'application/json; charset=koi8-r').send('{}'), status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
    { name: 'a corrupt gzip body', send: () => request(app).post('/v1/simulations').set('Content-Type', 'application/json').set('Content-Encoding', 'gzip').send('not gzip at all'), status: 400, code: 'BAD_REQUEST' },
    { name: 'a body over the limit', send: () => request(app).post('/v1/simulations').set('Content-Type', 'application/json').send(`{"name":"${'x'.repeat(4096)}"}`), status: 413, code: 'BODY_TOO_LARGE' },
    { name: 'a broken percent-escape in a path parameter', send: () => request(app).get('/v1/simulations/%E0%A4%A'), status: 400, code: 'BAD_REQUEST' },
    { name: 'malformed JSON', send: () => request(app).post('/v1/plans').set('Content-Type', 'application/json').send('{"question":'), status: 400, code: 'MALFORMED_JSON' },
  ];
  for (const { name, send, status, code } of cases) {
    it(`${name}: ${status} ${code}`, async () => {
      const res = await send();
      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      expect(ProblemSchema.parse(res.body)).toMatchObject({ status, code });
    });
  }
});
