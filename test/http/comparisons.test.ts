import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { forecast } from '../../src/advice/forecast.js';
import { ComparisonSchema } from '../../src/schemas/sweep.js';
import { ScenarioSchema } from '../../src/schemas/scenario.js';
import { simulationId } from '../../src/service/job-id.js';
import { smallScenario, testApp } from '../support/http-app.js';

describe('POST /v1/comparisons', () => {
  const thpNever = smallScenario({ name: 'THP never', kernel: { thp: 'never' } });
  const thpAlways = smallScenario({ name: 'THP always, old kernel', kernel: { thp: 'always', thpCow: 'copy-2m' }, redis: { disableThp: false } });
  const faster = smallScenario({ name: 'four times the writes', workload: { writesPerSec: 20000 } });

  it('answers the summaries side by side with every numeric field’s difference against the first', async () => {
    const { app } = testApp();
    const res = await request(app).post('/v1/comparisons').send({ scenarios: [thpNever, thpAlways, faster] }).expect(200);
    const body = ComparisonSchema.parse(res.body);
    const summaries = [thpNever, thpAlways, faster].map((input) => forecast(ScenarioSchema.parse(input)).summary);
    expect(body.status).toBe('completed');
    expect(body.baseline).toBe(simulationId(ScenarioSchema.parse(thpNever)));
    expect(body.items.map((item) => item.name)).toEqual(['THP never', 'THP always, old kernel', 'four times the writes']);
    expect(body.items.map((item) => item.summary)).toEqual(summaries);
    // The first against itself is all zeros; the others are value minus the first's value.
    expect(Object.values(body.items[0]!.differences!).every((d) => d === 0)).toBe(true);
    const second = body.items[1]!.differences!;
    expect(second.cowPeakBytes).toBe(summaries[1]!.cowPeakBytes - summaries[0]!.cowPeakBytes);
    expect(second.cowPeakBytes).toBeGreaterThan(0);
    expect(second['oom.peakAtSec']).toBe(summaries[1]!.oom.peakAtSec - summaries[0]!.oom.peakAtSec);
    expect(body.items[2]!.differences!.writes).toBe(summaries[2]!.writes - summaries[0]!.writes);
    expect(body.items[2]!.differences!.writes).toBeGreaterThan(0);
    // Booleans and strings are no differences.
    expect(second).not.toHaveProperty('hugePagesActive');
    expect(second).not.toHaveProperty('trigger');
    expect(body.items[1]!.links.self).toBe(`/v1/simulations/${body.items[1]!.simulationId}`);
  });

  it('reuses simulations already run, and answers 202 with their states when they are not done within ?wait', async () => {
    const { app, service } = testApp({ service: { autoRun: false } });
    const pending = await request(app).post('/v1/comparisons?wait=0').send({ scenarios: [thpNever, faster] }).expect(202);
    expect(pending.headers['retry-after']).toBe('1');
    expect(pending.body).toMatchObject({ status: 'queued', progress: 0, items: [{ status: 'queued', differences: null }, { status: 'queued', differences: null }] });
    for (const item of pending.body.items as Array<{ simulationId: string }>) service.run(item.simulationId);
    const done = await request(app).post('/v1/comparisons?wait=0').send({ scenarios: [thpNever, faster] }).expect(200);
    expect(done.body.status).toBe('completed');
    // Two scenarios, each submitted twice, each run once.
    expect(service.submissions).toBe(4);
  });

  it('refuses one scenario or more than eight, naming the limit', async () => {
    const { app } = testApp();
    const one = await request(app).post('/v1/comparisons').send({ scenarios: [thpNever] }).expect(422);
    expect(one.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'scenarios' }] });
    expect(one.body.errors[0].message).toMatch(/>=2/);
    const nine = await request(app).post('/v1/comparisons').send({ scenarios: Array.from({ length: 9 }, () => thpNever) }).expect(422);
    expect(nine.body.errors[0].message).toMatch(/<=8/);
    const bad = await request(app).post('/v1/comparisons').send({ scenarios: [thpNever, { dataset: { usedMemoryBytes: '64MiB', valueBytes: 0 } }] }).expect(422);
    expect(bad.body.errors[0].path).toBe('scenarios.1.dataset.valueBytes');
  });
});
