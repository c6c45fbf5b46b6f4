import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { calibrate } from '../../src/calibration/calibrate.js';
import { readCalibrationInput } from '../../src/cli/calibration-input.js';
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

  it('takes the bare list of observations forkcast calibrate reads, with the same fit', async () => {
    const { app } = testApp();
    const observations = [1, 2, 4, 8].map((gib) => ({ usedMemoryRssBytes: gib * 2 ** 30, latestForkUsec: 240 + 50_000 * gib }));
    const wrapped = CalibrationResultSchema.parse((await request(app).post('/v1/calibrations').send({ observations }).expect(200)).body);
    const bare = CalibrationResultSchema.parse((await request(app).post('/v1/calibrations').send(observations).expect(200)).body);
    expect(bare).toEqual(wrapped);
    expect(bare.preset.id).toBe('calibrated');
    expect(bare.preset.forkUsecPerGiB).toBeCloseTo(50_000, 0);
    // The list file forkcast calibrate reads gives the CLI's fit.
    const file = fileURLToPath(new URL('../fixtures/calibration-observations.json', import.meta.url));
    const cli = calibrate(readCalibrationInput(file).request);
    const served = (await request(app).post('/v1/calibrations').send(JSON.parse(readFileSync(file, 'utf8'))).expect(200)).body;
    expect(served).toEqual(JSON.parse(JSON.stringify(cli)));
    const bad = await request(app).post('/v1/calibrations').send([{ usedMemoryRssBytes: '1GiB', latestForkUsec: -3 }]).expect(422);
    expect(bad.body.errors[0].path).toBe('0.latestForkUsec');
    await request(app).post('/v1/calibrations').send([]).expect(422);
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
