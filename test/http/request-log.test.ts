import { Writable } from 'node:stream';
import { pino } from 'pino';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { testApp } from '../support/http-app.js';

function capture(level: 'info' | 'debug') {
  const lines: Array<Record<string, any>> = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level }, stream), lines };
}

describe('request logs', () => {
  it('at info: method, path, status, duration and request id, no headers', async () => {
    const { logger, lines } = capture('info');
    const { app } = testApp({ logger });
    await request(app).get('/v1/simulations?limit=2').set('X-Request-Id', 'req-info-1').set('Authorization', 'Bearer secret-token');
    const line = lines.find((l) => l.req?.id === 'req-info-1');
    expect(line).toBeDefined();
    expect(line!.req).toEqual({ id: 'req-info-1', method: 'GET', url: '/v1/simulations?limit=2' });
    expect(line!.res).toEqual({ statusCode: 200 });
    expect(typeof line!.responseTime).toBe('number');
    expect(JSON.stringify(line)).not.toContain('secret-token');
    expect(JSON.stringify(line)).not.toContain('headers');
  });

  it('at debug the headers are there', async () => {
    const { logger, lines } = capture('debug');
    const { app } = testApp({ logger });
    await request(app).get('/livez').set('X-Request-Id', 'req-debug-1').set('X-Probe', 'probe-value');
    const line = lines.find((l) => l.req?.id === 'req-debug-1' && l.res);
    expect(line!.req.headers['x-probe']).toBe('probe-value');
    expect(line!.res.headers['x-request-id']).toBe('req-debug-1');
  });
});
