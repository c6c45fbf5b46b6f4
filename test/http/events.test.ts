import { once } from 'node:events';
import { get } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { describe, expect, it, vi } from 'vitest';
import { SimulationRecordSchema } from '../../src/schemas/api.js';
import { smallScenario, testApp } from '../support/http-app.js';

interface SseEvent {
  event: string;
  data: string;
}

function parseSse(text: string): SseEvent[] {
  return text
    .split('\n\n')
    .filter((block) => block.includes('data: '))
    .map((block) => {
      const lines = block.split('\n');
      return {
        event: lines.find((l) => l.startsWith('event: '))!.slice(7),
        data: lines.find((l) => l.startsWith('data: '))!.slice(6),
      };
    });
}

describe('GET /v1/simulations/{id}/events', () => {
  it('streams the current record, progress, and a final status, then closes', async () => {
    const { app, service } = testApp({ service: { autoRun: false } });
    const { body } = await request(app).post('/v1/simulations').send(smallScenario()).expect(202);
    setTimeout(() => service.run(body.id), 100);
    const res = await request(app).get(`/v1/simulations/${body.id}/events`).expect(200);
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(res.headers['cache-control']).toContain('no-cache');
    const events = parseSse(res.text);
    expect(events[0]!.event).toBe('record');
    expect(SimulationRecordSchema.parse(JSON.parse(events[0]!.data)).status).toBe('queued');
    expect(events.some((e) => e.event === 'progress')).toBe(true);
    const last = events.at(-1)!;
    expect(last.event).toBe('status');
    expect(JSON.parse(last.data)).toMatchObject({ id: body.id, status: 'completed', progress: 1 });
    const progress = events.filter((e) => e.event === 'progress').map((e) => JSON.parse(e.data).progress as number);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(service.listenerCount(body.id)).toBe(0);
  });

  it('closes at once for a finished simulation', async () => {
    const { app, service } = testApp({ service: { autoRun: false } });
    const { body } = await request(app).post('/v1/simulations').send(smallScenario()).expect(202);
    service.run(body.id);
    const res = await request(app).get(`/v1/simulations/${body.id}/events`).expect(200);
    expect(parseSse(res.text).map((e) => e.event)).toEqual(['record', 'status']);
  });

  it('ends the stream from the heartbeat re-read when the final event never arrives', async () => {
    const { app, service } = testApp({ service: { autoRun: false }, tuning: { heartbeatMs: 50 } });
    const { body } = await request(app).post('/v1/simulations').send(smallScenario()).expect(202);
    vi.spyOn(service, 'subscribe').mockResolvedValue(() => {});
    setTimeout(() => service.run(body.id), 20);
    const res = await request(app).get(`/v1/simulations/${body.id}/events`).expect(200);
    const events = parseSse(res.text);
    expect(events.map((e) => e.event)).toEqual(['record', 'status']);
    expect(JSON.parse(events[1]!.data).status).toBe('completed');
  });

  it('answers 404 problem for an unknown id before any stream starts', async () => {
    const { app } = testApp();
    const res = await request(app).get('/v1/simulations/sim-0000000000000000/events').expect(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('sends heartbeats and unsubscribes when the client goes away', async () => {
    const { app, service } = testApp({ service: { autoRun: false }, tuning: { heartbeatMs: 50 } });
    const { body } = await request(app).post('/v1/simulations').send(smallScenario()).expect(202);
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const req = get({ host: '127.0.0.1', port, path: `/v1/simulations/${body.id}/events` });
      const [res] = (await once(req, 'response')) as [import('node:http').IncomingMessage];
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(text).toContain('event: record');
      expect(text.match(/: heartbeat/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
      expect(service.listenerCount(body.id)).toBe(1);
      req.destroy();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(service.listenerCount(body.id)).toBe(0);
    } finally {
      server.close();
    }
  });
});
