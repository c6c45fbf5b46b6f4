import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { SweepRecordSchema, SweepResultSchema } from '../../src/schemas/sweep.js';
import { smallScenario, testApp } from '../support/http-app.js';

const body = { base: smallScenario(), axes: [{ path: 'workload.writesPerSec', values: [1000, 5000] }, { path: 'kernel.thp', values: ['never', 'always'] }] };

describe('/v1/sweeps', () => {
  it('answers 202 with Location, then the state and the rows in axis order', async () => {
    const { app, service } = testApp({ service: { autoRun: false } });
    const res = await request(app).post('/v1/sweeps').send(body).expect(202);
    const record = SweepRecordSchema.parse(res.body);
    expect(res.headers.location).toBe(`/v1/sweeps/${record.id}`);
    expect(record).toMatchObject({ status: 'queued', progress: 0, points: 4, links: { result: `/v1/sweeps/${record.id}/result` } });
    await request(app).get(`/v1/sweeps/${record.id}/result`).expect(409);
    const ids = service.submissions;
    expect(ids).toBe(4);
    const first = (await service.list(10)).items.map((item) => item.id);
    service.run(first[0]!);
    const partial = await request(app).get(`/v1/sweeps/${record.id}`).expect(200);
    expect(partial.body).toMatchObject({ status: 'running', progress: 0.25, finishedPoints: 1 });
    for (const id of first) service.run(id);
    const rows = SweepResultSchema.parse((await request(app).get(`/v1/sweeps/${record.id}/result`).expect(200)).body).rows;
    expect(rows.map((row) => row.values)).toEqual([
      { 'workload.writesPerSec': 1000, 'kernel.thp': 'never' },
      { 'workload.writesPerSec': 1000, 'kernel.thp': 'always' },
      { 'workload.writesPerSec': 5000, 'kernel.thp': 'never' },
      { 'workload.writesPerSec': 5000, 'kernel.thp': 'always' },
    ]);
    expect(rows.every((row) => row.summary !== null)).toBe(true);
  });

  it('answers 404 problem+json for an unknown sweep and for an id that cannot be one', async () => {
    const { app } = testApp();
    const unknown = await request(app).get('/v1/sweeps/swp-0000000000000000').expect(404);
    expect(unknown.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(unknown.body.code).toBe('SWEEP_NOT_FOUND');
    expect((await request(app).delete('/v1/sweeps/not-a-sweep').expect(404)).body.code).toBe('SWEEP_NOT_FOUND');
  });

  it('refuses a base the scenario schema rejects, naming the field under base', async () => {
    const { app } = testApp();
    const res = await request(app)
      .post('/v1/sweeps')
      .send({ base: { dataset: { usedMemoryBytes: '64MiB', valueBytes: 0 } }, axes: body.axes })
      .expect(422);
    expect(res.body.errors[0].path).toBe('base.dataset.valueBytes');
    const three = await request(app).post('/v1/sweeps').send({ ...body, axes: [...body.axes, { path: 'snapshot.durationSec', values: [1] }] }).expect(422);
    expect(three.body.errors[0]).toMatchObject({ path: 'axes' });
  });
});
