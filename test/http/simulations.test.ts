import request from 'supertest';
import { describe, expect, it, vi } from 'vitest';
import { SimulationListSchema, SimulationRecordSchema } from '../../src/schemas/api.js';
import { SimulationWithResultSchema } from '../../src/schemas/http.js';
import { smallScenario, testApp } from '../support/http-app.js';

describe('POST /v1/simulations', () => {
  it('answers 202 with Location, Retry-After and the queued record', async () => {
    const { app } = testApp({ service: { autoRun: false } });
    const res = await request(app).post('/v1/simulations').send(smallScenario()).expect(202);
    const record = SimulationRecordSchema.parse(res.body);
    expect(record.status).toBe('queued');
    expect(record.id).toMatch(/^sim-[0-9a-f]{16}$/);
    expect(res.headers.location).toBe(`/v1/simulations/${record.id}`);
    expect(res.headers['retry-after']).toBe('1');
    expect(record.links.self).toBe(res.headers.location);
  });

  it('gives the same scenario the same id, also when written differently', async () => {
    const { app, service } = testApp({ service: { autoRun: false } });
    const first = await request(app).post('/v1/simulations').send(smallScenario()).expect(202);
    // Same scenario once defaults are filled in and sizes parsed.
    const spelled = { ...smallScenario(), dataset: { usedMemoryBytes: 64 * 2 ** 20, valueBytes: 100, keyBytes: 16 }, kernel: { platform: 'kvm' } };
    const second = await request(app).post('/v1/simulations').send(spelled).expect(202);
    expect(second.body.id).toBe(first.body.id);
    const other = await request(app).post('/v1/simulations').send(smallScenario({ simulation: { seed: 2 } })).expect(202);
    expect(other.body.id).not.toBe(first.body.id);
    expect(service.submissions).toBe(3);
  });

  it('answers 200 with the record when the same scenario has already completed', async () => {
    const { app, service } = testApp({ service: { autoRun: false } });
    const first = await request(app).post('/v1/simulations').send(smallScenario()).expect(202);
    service.run(first.body.id);
    const again = await request(app).post('/v1/simulations').send(smallScenario()).expect(200);
    expect(again.body).toMatchObject({ id: first.body.id, status: 'completed' });
    expect(again.body.summary.cowPeakBytes).toBeGreaterThan(0);
    expect(again.body.result).toBeUndefined();
    expect(again.headers.location).toBe(`/v1/simulations/${first.body.id}`);
  });

  it('honours Idempotency-Key: the same key and body, one simulation; a new key, another', async () => {
    const { app, service } = testApp({ service: { autoRun: false } });
    const a = await request(app).post('/v1/simulations').set('Idempotency-Key', 'nightly-42').send(smallScenario()).expect(202);
    // The same body with its members in another order is the same body.
    const reordered = Object.fromEntries(Object.entries(smallScenario()).reverse());
    const b = await request(app).post('/v1/simulations').set('Idempotency-Key', 'nightly-42').send(reordered).expect(202);
    expect(b.body.id).toBe(a.body.id);
    expect(a.body.id).toMatch(/^key-/);
    service.run(a.body.id);
    const done = await request(app).post('/v1/simulations').set('Idempotency-Key', 'nightly-42').send(smallScenario()).expect(200);
    expect(done.body).toMatchObject({ id: a.body.id, status: 'completed' });
    const c = await request(app).post('/v1/simulations').set('Idempotency-Key', 'nightly-43').send(smallScenario()).expect(202);
    expect(c.body.id).not.toBe(a.body.id);
  });

  it('refuses an Idempotency-Key reused with another body: 422 IDEMPOTENCY_KEY_REUSED naming nothing of the first request', async () => {
    const { app, service } = testApp({ service: { autoRun: false } });
    const first = { ...smallScenario({ simulation: { seed: 7 } }), name: 'first-tenant-secret' };
    const a = await request(app).post('/v1/simulations').set('Idempotency-Key', 'nightly-44').send(first).expect(202);
    service.run(a.body.id);
    const res = await request(app)
      .post('/v1/simulations')
      .set('Idempotency-Key', 'nightly-44')
      .send(smallScenario({ simulation: { seed: 9 } }))
      .expect(422)
      .expect('content-type', /application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED', errors: [{ path: 'idempotency-key' }] });
    expect(res.text).not.toContain(a.body.id);
    expect(res.text).not.toContain('first-tenant-secret');
    expect(res.text).not.toContain('cowPeakBytes');
    // The first request, retried, still gets its own simulation.
    const again = await request(app).post('/v1/simulations').set('Idempotency-Key', 'nightly-44').send(first).expect(200);
    expect(again.body.id).toBe(a.body.id);
  });

  it('rejects an Idempotency-Key with spaces as a bad header', async () => {
    const { app } = testApp();
    const res = await request(app).post('/v1/simulations').set('Idempotency-Key', 'two words').send(smallScenario()).expect(400);
    expect(res.body).toMatchObject({ code: 'INVALID_PARAMETER', errors: [{ path: 'idempotency-key' }] });
  });

  it('with ?wait= returns 200 and the result once the simulation completes in time', async () => {
    const { app } = testApp();
    const res = await request(app).post('/v1/simulations?wait=10').send(smallScenario()).expect(200);
    const body = SimulationWithResultSchema.parse(res.body);
    expect(body.status).toBe('completed');
    expect(body.result?.series.tSec.length).toBeGreaterThan(10);
    expect(body.result?.summary.cowPeakBytes).toBe(body.summary?.cowPeakBytes);
  });

  it('with ?wait= answers the 202 when the simulation does not finish in time', async () => {
    const { app } = testApp({ service: { autoRun: false } });
    const started = Date.now();
    const res = await request(app).post('/v1/simulations?wait=1').send(smallScenario()).expect(202);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(res.body.status).toBe('queued');
    expect(res.headers.location).toBe(`/v1/simulations/${res.body.id}`);
  });

  it('with ?wait=0 inlines the result of an already completed simulation without waiting', async () => {
    const { app, service } = testApp({ service: { autoRun: false } });
    const first = await request(app).post('/v1/simulations').send(smallScenario()).expect(202);
    service.run(first.body.id);
    const res = await request(app).post('/v1/simulations?wait=0').send(smallScenario()).expect(200);
    expect(res.body.result.series.cowBytes.length).toBe(res.body.result.series.tSec.length);
  });

  it('bounds ?wait= by the configured maximum', async () => {
    const { app } = testApp({ config: { maxWaitSec: 5 } });
    const res = await request(app).post('/v1/simulations?wait=6').send(smallScenario()).expect(400);
    expect(res.body.errors).toEqual([{ path: 'wait', message: expect.stringContaining('5') }]);
  });
});

describe('GET /v1/simulations/{id}', () => {
  it('returns the record, and 404 problem for unknown or impossible ids', async () => {
    const { app, service } = testApp({ service: { autoRun: false } });
    const { body } = await request(app).post('/v1/simulations').send(smallScenario()).expect(202);
    service.run(body.id);
    const res = await request(app).get(`/v1/simulations/${body.id}`).expect(200);
    expect(res.body).toMatchObject({ id: body.id, status: 'completed', progress: 1 });
    expect(res.body.finishedAt).not.toBeNull();

    for (const id of ['sim-0000000000000000', 'NOT_AN_ID', 'x']) {
      const missing = await request(app).get(`/v1/simulations/${id}`).expect(404);
      expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(missing.body).toMatchObject({ status: 404, code: 'SIMULATION_NOT_FOUND' });
    }
  });
});

describe('DELETE /v1/simulations/{id}', () => {
  it('cancels a queued simulation (200), winds a running one down (202), refuses a finished one (409)', async () => {
    const { app, service } = testApp({ service: { autoRun: false } });
    const queued = await request(app).post('/v1/simulations').send(smallScenario()).expect(202);
    const cancelled = await request(app).delete(`/v1/simulations/${queued.body.id}`).expect(200);
    expect(cancelled.body.status).toBe('cancelled');

    const running = await request(app).post('/v1/simulations').send(smallScenario({ simulation: { seed: 5 } })).expect(202);
    service.start(running.body.id);
    const winding = await request(app).delete(`/v1/simulations/${running.body.id}`).expect(202);
    expect(winding.body.status).toBe('running');
    service.run(running.body.id);
    expect((await request(app).get(`/v1/simulations/${running.body.id}`)).body.status).toBe('cancelled');

    const done = await request(app).post('/v1/simulations').send(smallScenario({ simulation: { seed: 6 } })).expect(202);
    service.run(done.body.id);
    const conflict = await request(app).delete(`/v1/simulations/${done.body.id}`).expect(409);
    expect(conflict.body).toMatchObject({ code: 'SIMULATION_FINISHED', simulationStatus: 'completed' });

    await request(app).delete('/v1/simulations/sim-0000000000000000').expect(404);
  });
});

describe('GET /v1/simulations', () => {
  it('pages newest first with a cursor', async () => {
    const { app } = testApp({ service: { autoRun: false } });
    const ids: string[] = [];
    for (let seed = 1; seed <= 5; seed++) {
      ids.push((await request(app).post('/v1/simulations').send(smallScenario({ simulation: { seed } }))).body.id);
    }
    const first = SimulationListSchema.parse((await request(app).get('/v1/simulations?limit=2').expect(200)).body);
    expect(first.items.map((r) => r.id)).toEqual([ids[4], ids[3]]);
    const second = SimulationListSchema.parse((await request(app).get(`/v1/simulations?limit=2&cursor=${first.nextCursor}`).expect(200)).body);
    expect(second.items.map((r) => r.id)).toEqual([ids[2], ids[1]]);
    const all = (await request(app).get('/v1/simulations').expect(200)).body;
    expect(all.items).toHaveLength(5);
    expect(all.nextCursor).toBeNull();
  });

  it('answers 400 naming the cursor for one it did not hand out', async () => {
    const { app } = testApp();
    const res = await request(app).get('/v1/simulations?cursor=bogus').expect(400);
    expect(res.body).toMatchObject({ code: 'INVALID_PARAMETER', errors: [{ path: 'cursor' }] });
  });

  it('bounds limit to 1..100', async () => {
    const { app } = testApp();
    for (const limit of ['0', '101', 'ten', '2.5']) {
      const res = await request(app).get(`/v1/simulations?limit=${limit}`).expect(400);
      expect(res.body.errors[0].path).toBe('limit');
    }
  });
});

describe('links', () => {
  const linksOf = (id: string) => ({ self: `/v1/simulations/${id}`, result: `/v1/simulations/${id}/result`, events: `/v1/simulations/${id}/events` });
  const shown = (body: Record<string, unknown>) => {
    expect(Object.keys(body).slice(0, 6)).toEqual(['id', 'status', 'progress', 'createdAt', 'finishedAt', 'links']);
    return body.links;
  };

  it('are the same on every route that shows a record', async () => {
    const { app, service } = testApp({ service: { autoRun: false } });
    const posted = await request(app).post('/v1/simulations').send(smallScenario()).expect(202);
    const { id } = posted.body;
    expect(shown(posted.body)).toEqual(linksOf(id));
    expect(shown((await request(app).get(`/v1/simulations/${id}`).expect(200)).body)).toEqual(linksOf(id));
    expect(shown((await request(app).get('/v1/simulations').expect(200)).body.items[0])).toEqual(linksOf(id));
    service.run(id);
    const events = await request(app).get(`/v1/simulations/${id}/events`).expect(200);
    for (const data of events.text.match(/^data: .*$/gm)!) expect(shown(JSON.parse(data.slice(6)))).toEqual(linksOf(id));
    expect(shown((await request(app).post('/v1/simulations?wait=5').send(smallScenario()).expect(200)).body)).toEqual(linksOf(id));

    const other = await request(app).post('/v1/simulations').send(smallScenario({ simulation: { seed: 3 } })).expect(202);
    const cancelled = await request(app).delete(`/v1/simulations/${other.body.id}`).expect(200);
    expect(shown(cancelled.body)).toEqual(linksOf(other.body.id));
  });

  it('come from the routes, whatever links the service hands over', async () => {
    const { app, service } = testApp({ service: { autoRun: false } });
    const { body } = await request(app).post('/v1/simulations').send(smallScenario()).expect(202);
    const stored = await service.get(body.id);
    vi.spyOn(service, 'get').mockResolvedValue({ ...stored!, links: { self: '/old', result: '/old/r', events: '/old/e' } } as never);
    expect((await request(app).get(`/v1/simulations/${body.id}`).expect(200)).body.links).toEqual(linksOf(body.id));
  });
});
