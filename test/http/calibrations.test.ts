import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { CalibrationResultSchema } from '../../src/schemas/calibration.js';
import { testApp } from '../support/http-app.js';

describe('POST /v1/calibrations', () => {
  it('fits fork µs per GiB to observed forks', async () => {
    const { app } = testApp();
    // fork = 240 µs fixed + 50,000 µs per GiB, exactly.
    const observations = [1, 2, 4, 8].map((gib) => ({ usedMemoryRssBytes: gib * 2 ** 30, latestForkUsec: 240 + 50_000 * gib }));
    const res = await request(app).post('/v1/calibrations').send({ observations, id: 'my-hosts' }).expect(200);
    const body = CalibrationResultSchema.parse(res.body);
    expect(body.preset.id).toBe('my-hosts');
    expect(body.preset.forkUsecPerGiB).toBeCloseTo(50_000, 0);
    expect(body.fits.fork?.n).toBe(4);
    expect(body.scenarioKernel.forkUsecPerGiB).toBeCloseTo(50_000, 0);
  });

  it('names the bad field of a bad observation', async () => {
    const { app } = testApp();
    const res = await request(app)
      .post('/v1/calibrations')
      .send({ observations: [{ usedMemoryRssBytes: '1GiB', latestForkUsec: -3 }] })
      .expect(422);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.errors[0].path).toBe('observations.0.latestForkUsec');
    // The body here is a set of observations, not a scenario.
    expect(res.body.detail).toBe('The request body does not satisfy the schema.');
  });

  it('415 for a body that is not JSON, in words that fit any body', async () => {
    const { app } = testApp();
    const res = await request(app).post('/v1/calibrations').set('Content-Type', 'text/plain').send('x').expect(415);
    expect(res.body.detail).toBe('Send the request body as application/json, not text/plain.');
  });

  it('answers 405 to other methods', async () => {
    const { app } = testApp();
    const res = await request(app).get('/v1/calibrations').expect(405);
    expect(res.headers.allow).toBe('POST');
  });
});
