import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { seriesColumns, SimulationResultSchema } from '../../src/schemas/result.js';
import { smallScenario, testApp } from '../support/http-app.js';

async function completed(scenario = smallScenario()) {
  const { app, service } = testApp({ service: { autoRun: false } });
  const { body } = await request(app).post('/v1/simulations').send(scenario).expect(202);
  service.run(body.id);
  const full = SimulationResultSchema.parse((await service.result(body.id))!);
  return { app, service, id: body.id as string, full };
}

describe('GET /v1/simulations/{id}/result', () => {
  it('returns summary and series as JSON', async () => {
    const { app, id, full } = await completed();
    const res = await request(app).get(`/v1/simulations/${id}/result`).expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({ summary: full.summary, series: full.series });
  });

  it('returns the series as CSV after the verdict as # comment lines, with a header row of its columns', async () => {
    const { app, id, full } = await completed();
    const res = await request(app).get(`/v1/simulations/${id}/result?format=csv`).expect(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    const all = res.text.trimEnd().split('\n');
    expect(all[0]).toBe(`# forkcast ${full.summary.trigger}: ${full.summary.verdict.text}`);
    const lines = all.filter((l) => !l.startsWith('#'));
    expect(all.slice(all.length - lines.length)).toEqual(lines);
    expect(lines[0]).toBe('tSec,copiedPages,cowBytes,parentRssBytes,childPrivateBytes,hostMemoryBytes,writes,forkPerc,faultStallMs,replicationBufferBytes,aofRewriteBufferBytes,pageCacheBytes');
    expect(lines).toHaveLength(full.series.tSec.length + 1);
    const last = lines.at(-1)!.split(',').map(Number);
    expect(last[0]).toBe(full.series.tSec.at(-1));
    expect(last[2]).toBe(full.series.cowBytes.at(-1));
  });

  it('downsamples to maxPoints keeping first, last and the copy-on-write peak, in JSON and CSV', async () => {
    const { app, id, full } = await completed();
    expect(full.series.tSec.length).toBeGreaterThan(50);
    const peak = Math.max(...full.series.cowBytes);
    const res = await request(app).get(`/v1/simulations/${id}/result?maxPoints=7`).expect(200);
    const { series } = SimulationResultSchema.parse(res.body);
    for (const column of seriesColumns(series)) expect(series[column]).toHaveLength(7);
    expect(series.events).toEqual(full.series.events);
    expect(Math.max(...series.cowBytes)).toBe(peak);
    expect(series.tSec[0]).toBe(full.series.tSec[0]);
    expect(series.tSec[6]).toBe(full.series.tSec.at(-1));
    const csv = await request(app).get(`/v1/simulations/${id}/result?format=csv&maxPoints=7`).expect(200);
    expect(csv.text.trimEnd().split('\n').filter((l) => !l.startsWith('#'))).toHaveLength(8);
  });

  it('bounds maxPoints to 3..MAX_POINTS and format to json|csv', async () => {
    const { app, id } = await completed();
    for (const query of ['maxPoints=2', 'maxPoints=100001', 'maxPoints=abc', 'format=xml']) {
      const res = await request(app).get(`/v1/simulations/${id}/result?${query}`).expect(400);
      expect(res.body.code).toBe('INVALID_PARAMETER');
      expect(res.body.errors[0].path).toBe(query.split('=')[0]);
    }
    const capped = testApp({ config: { maxPoints: 50 } });
    const tooMany = await request(capped.app).get(`/v1/simulations/${id}/result?maxPoints=51`).expect(400);
    expect(tooMany.body.errors[0].message).toContain('50');
  });

  it('answers 409 with the status while not completed, 404 for unknown ids, 410 once expired', async () => {
    const { app, service } = testApp({ service: { autoRun: false } });
    const { body } = await request(app).post('/v1/simulations').send(smallScenario()).expect(202);
    const pending = await request(app).get(`/v1/simulations/${body.id}/result`).expect(409);
    expect(pending.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(pending.body).toMatchObject({ status: 409, code: 'SIMULATION_NOT_COMPLETED', simulationStatus: 'queued' });
    expect(pending.headers['retry-after']).toBe('1');

    await request(app).delete(`/v1/simulations/${body.id}`).expect(200);
    const cancelled = await request(app).get(`/v1/simulations/${body.id}/result`).expect(409);
    expect(cancelled.body.simulationStatus).toBe('cancelled');
    expect(cancelled.headers['retry-after']).toBeUndefined();

    await request(app).get('/v1/simulations/sim-0000000000000000/result').expect(404);

    const other = await request(app).post('/v1/simulations').send(smallScenario({ simulation: { seed: 3 } })).expect(202);
    service.run(other.body.id);
    service.expireResult(other.body.id);
    const gone = await request(app).get(`/v1/simulations/${other.body.id}/result`).expect(410);
    expect(gone.body.code).toBe('RESULT_EXPIRED');
  });
});
