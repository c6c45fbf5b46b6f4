import { readFileSync } from 'node:fs';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_INFO } from '../../src/http/routes/scenarios.js';
import { InspectReportSchema } from '../../src/schemas/inspect.js';
import { ScenarioSchema } from '../../src/schemas/scenario.js';
import { testApp } from '../support/http-app.js';

const PATH = '/v1/scenarios/from-info';
const fixture = readFileSync(new URL('../fixtures/inspect/info-after.txt', import.meta.url), 'utf8');

describe('POST /v1/scenarios/from-info', () => {
  it('drafts a scenario from the text redis-cli INFO all prints, with its provenance and last save', async () => {
    const { app } = testApp();
    const res = await request(app).post(PATH).set('Content-Type', 'text/plain').send(fixture).expect(200);
    const report = InspectReportSchema.parse(res.body);
    const scenario = ScenarioSchema.parse(res.body.scenario);
    // The fixture's instance: 20,902 keys, fragmentation 3.17, one save (test/fixtures/inspect/README.md).
    expect(scenario.dataset.keys).toBe(20_902);
    expect(scenario.allocator.fragmentationRatio).toBe(3.17);
    expect(report.source).toBe('info');
    expect(report.writes.lifetimeAverage).toBe(true);
    expect(report.writes.byCommand.set).toBeGreaterThan(0);
    expect(report.writes.byCommand.get).toBeUndefined();
    expect(report.lastSave).toMatchObject({ rdbLastCowSizeBytes: 770_048, latestForkUsec: 721, rdbLastBgsaveTimeSec: 1 });
    expect(res.body.scenario.provenance['dataset.keys']).toEqual({ source: 'measured', from: 'INFO keyspace: keys over every database' });
    expect(res.body.scenario.provenance['workload.keyDistribution'].source).toBe('assumed');
  });

  it('answers the document’s own example', async () => {
    const { app } = testApp();
    const res = await request(app).post(PATH).set('Content-Type', 'text/plain; charset=utf-8').send(EXAMPLE_INFO).expect(200);
    expect(res.body.scenario.dataset.keys).toBe(20_000_000);
    expect(res.body.scenario.replication.replicas).toBe(1);
  });

  it('422 with a stable code for text that is not INFO, or holds no keys', async () => {
    const { app } = testApp();
    const bad = await request(app).post(PATH).set('Content-Type', 'text/plain').send('hello world').expect(422);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(bad.body.code).toBe('INFO_UNRECOGNISED');
    expect(bad.body.errors[0].path).toBe('redis_version');
    const empty = await request(app).post(PATH).set('Content-Type', 'text/plain').send('# Server\r\nredis_version:7.0.15\r\n# Keyspace\r\n').expect(422);
    expect(empty.body.code).toBe('NO_KEYS');
    const none = await request(app).post(PATH).set('Content-Type', 'text/plain').send('').expect(422);
    expect(none.body.code).toBe('VALIDATION_FAILED');
  });

  it('415 for JSON, 413 past the body limit, 405 for other methods', async () => {
    const { app } = testApp({ config: { bodyLimitBytes: 4096 } });
    const json = await request(app).post(PATH).send({ info: 'x' }).expect(415);
    expect(json.body.detail).toBe('Send the request body as text/plain, not application/json.');
    const big = await request(app).post(PATH).set('Content-Type', 'text/plain').send(fixture).expect(413);
    expect(big.body.code).toBe('BODY_TOO_LARGE');
    const get = await request(app).get(PATH).expect(405);
    expect(get.headers.allow).toBe('POST');
  });
});
