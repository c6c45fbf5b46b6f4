// Sweeps end to end against a real Redis and real BullMQ flows: the HTTP app over the BullMQ
// service, with an in-process worker pool taking the points.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forecast } from '../../src/advice/forecast.js';
import { createApp } from '../../src/http/app.js';
import { createBullmqSimulationService } from '../../src/queue/bullmq-simulation-service.js';
import { QUEUE_NAME, storeKeys, SWEEP_QUEUE_NAME } from '../../src/queue/keys.js';
import { createWorkerPool, type FinishedRun, type WorkerPool } from '../../src/queue/worker-pool.js';
import { ScenarioSchema, type ScenarioInput } from '../../src/schemas/scenario.js';
import type { SweepRecord, SweepResult } from '../../src/schemas/sweep.js';
import { simulationId } from '../../src/service/job-id.js';
import type { SimulationService } from '../../src/service/simulation-service.js';
import { TEST_CONFIG } from '../support/http-app.js';
import { deleteKeys, longScenario, randomPrefix, REDIS_URL, until } from './support.js';

const TTL_SEC = 600;

const base = (seed: number): ScenarioInput => ({
  dataset: { usedMemoryBytes: '64MiB', valueBytes: 100 },
  workload: { writesPerSec: 1000 },
  snapshot: { durationSec: 2 },
  simulation: { seed, maxPoints: 200 },
});

/** Parses an SSE body into its events. */
function sseEvents(text: string): Array<{ event: string; data: SweepRecord }> {
  return text
    .split('\n\n')
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      return event && data ? { event, data: JSON.parse(data) as SweepRecord } : undefined;
    })
    .filter((e): e is { event: string; data: SweepRecord } => e !== undefined);
}

describe('sweeps over BullMQ flows', () => {
  const prefix = randomPrefix();
  let service: SimulationService;
  let pool: WorkerPool | undefined;
  let redis: Redis;
  let app: ReturnType<typeof createApp>;
  const runs: FinishedRun[] = [];

  const startPool = async () => {
    pool = createWorkerPool({ redisUrl: REDIS_URL, prefix, concurrency: 2, resultTtlSec: TTL_SEC, onRunFinished: (run) => runs.push(run) });
    await pool.waitUntilReady();
  };

  beforeAll(async () => {
    service = createBullmqSimulationService({ redisUrl: REDIS_URL, prefix, resultTtlSec: TTL_SEC });
    app = createApp({ service, config: { ...TEST_CONFIG, maxSweepPoints: 50 } });
    redis = new Redis(REDIS_URL);
    await startPool();
  });

  afterAll(async () => {
    await pool?.close(5000);
    await service.close();
    redis.disconnect();
    await deleteKeys(prefix);
  });

  it('runs every point and answers the rows in axis order, each as the worker’s forecast() gives it', async () => {
    const body = {
      base: base(1),
      axes: [
        { path: 'workload.writesPerSec', values: [1000, 20000] },
        { path: 'dataset.usedMemoryBytes', from: 32 * 2 ** 20, to: 128 * 2 ** 20, steps: 3, scale: 'log' },
      ],
    };
    const res = await request(app).post('/v1/sweeps').send(body).expect(202);
    const id = (res.body as SweepRecord).id;
    expect(id).toMatch(/^swp-[0-9a-f]{16}$/);
    expect(res.headers.location).toBe(`/v1/sweeps/${id}`);
    expect(res.body).toMatchObject({ points: 6, reusedPoints: 0 });

    const done = await service.waitForSweep(id, 30_000);
    expect(done).toMatchObject({ status: 'completed', progress: 1, finishedPoints: 6 });
    const result = (await request(app).get(`/v1/sweeps/${id}/result`).expect(200)).body as SweepResult;
    const expected = [1000, 20000].flatMap((writesPerSec) => [32, 64, 128].map((mib) => ({ 'workload.writesPerSec': writesPerSec, 'dataset.usedMemoryBytes': mib * 2 ** 20 })));
    expect(result.rows.map((row) => row.values)).toEqual(expected);
    for (const row of result.rows) {
      const scenario = ScenarioSchema.parse({
        ...base(1),
        workload: { writesPerSec: row.values['workload.writesPerSec'] },
        dataset: { usedMemoryBytes: row.values['dataset.usedMemoryBytes'], valueBytes: 100 },
      });
      expect(row.simulationId).toBe(simulationId(scenario));
      expect(row.summary).toEqual(forecast(scenario).summary);
    }
    // The writes grow with the rate: the values were applied.
    expect(result.rows[3]!.summary!.writes).toBeGreaterThan(result.rows[0]!.summary!.writes);

    const csv = (await request(app).get(`/v1/sweeps/${id}/result?format=csv`).expect(200)).text.trim().split('\n');
    expect(csv).toHaveLength(7);
    const header = csv[0]!.split(',');
    expect(header.slice(0, 4)).toEqual(['workload.writesPerSec', 'dataset.usedMemoryBytes', 'simulationId', 'status']);
    const peakColumn = header.indexOf('cowPeakBytes');
    expect(peakColumn).toBeGreaterThan(3);
    expect(Number(csv[6]!.split(',')[peakColumn])).toBe(result.rows[5]!.summary!.cowPeakBytes);

    // The same sweep again is the same sweep, finished.
    const again = await request(app).post('/v1/sweeps').send(body).expect(200);
    expect(again.body).toMatchObject({ id, status: 'completed' });
    // Every point is a simulation of its own.
    const point = await request(app).get(`/v1/simulations/${result.rows[2]!.simulationId}`).expect(200);
    expect(point.body).toMatchObject({ status: 'completed', summary: { cowPeakBytes: result.rows[2]!.summary!.cowPeakBytes } });
  });

  it('reuses a point already simulated instead of running it again', async () => {
    const first = ScenarioSchema.parse({ ...base(2), workload: { writesPerSec: 3000 } });
    const { record } = await service.submit(first);
    await service.waitUntilFinished(record.id, 20_000);
    // The run is reported once BullMQ has the job completed, a moment after the record.
    await until(() => (runs.some((run) => run.id === record.id) ? true : undefined), 5000, 'the first run to be reported');

    const res = await request(app)
      .post('/v1/sweeps?wait=30')
      .send({ base: base(2), axes: [{ path: 'workload.writesPerSec', values: [3000, 4000] }] })
      .expect(200);
    expect(res.body).toMatchObject({ status: 'completed', points: 2, reusedPoints: 1 });
    expect(res.body.result.rows.map((row: { simulationId: string }) => row.simulationId)[0]).toBe(record.id);
    expect(res.body.result.rows[0].summary).toEqual((await service.get(record.id))?.summary);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(runs.filter((run) => run.id === record.id)).toHaveLength(1);
  });

  it('answers 422 naming the axis and the point, and the point limit', async () => {
    const badPath = await request(app)
      .post('/v1/sweeps')
      .send({ base: base(3), axes: [{ path: 'workload.writesPerSecond', values: [1] }] })
      .expect(422);
    expect(badPath.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(badPath.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'axes.0.path', message: 'axis 0: workload.writesPerSecond is not a scenario field' }] });

    const badValue = await request(app)
      .post('/v1/sweeps')
      .send({ base: base(3), axes: [{ path: 'workload.writesPerSec', values: [1000, 2000] }, { path: 'dataset.valueBytes', values: [100, 0] }] })
      .expect(422);
    expect(badValue.body.errors[0]).toMatchObject({ path: 'axes.1.values.1' });
    expect(badValue.body.errors[0].message).toMatch(/^point 1 \(workload\.writesPerSec = 1000 \(axis 0, value 0\), dataset\.valueBytes = 0 \(axis 1, value 1\)\): dataset\.valueBytes: /);
    expect(badValue.body.errors).toHaveLength(2);

    const tooMany = await request(app)
      .post('/v1/sweeps')
      .send({ base: base(3), axes: [{ path: 'workload.writesPerSec', from: 1, to: 100, steps: 10 }, { path: 'snapshot.durationSec', from: 1, to: 6, steps: 6 }] })
      .expect(422);
    expect(tooMany.body).toMatchObject({ code: 'SWEEP_TOO_LARGE', errors: [{ path: 'axes', message: 'the axes make 60 points (10 × 6); at most 50 (MAX_SWEEP_POINTS)' }] });
    // One axis longer than the limit is refused by the schema already.
    const tooLong = await request(app)
      .post('/v1/sweeps')
      .send({ base: base(3), axes: [{ path: 'workload.writesPerSec', from: 1, to: 100, steps: 51 }] })
      .expect(422);
    expect(tooLong.body.errors[0].path).toBe('axes.0.steps');
  });

  it('cancels the points not yet run on DELETE', async () => {
    await pool!.close(5000);
    pool = undefined;
    const res = await request(app)
      .post('/v1/sweeps')
      .send({ base: base(4), axes: [{ path: 'workload.writesPerSec', values: [1000, 2000, 3000, 4000] }] })
      .expect(202);
    const id = (res.body as SweepRecord).id;
    const cancelled = await request(app).delete(`/v1/sweeps/${id}`);
    expect([200, 202]).toContain(cancelled.status);
    // Nothing ran: the parent has no pending child left and aggregates once a worker is there.
    const queue = new Queue(QUEUE_NAME, { connection: redis, prefix });
    expect(await queue.getJobCounts('waiting')).toEqual({ waiting: 0 });
    await queue.close();
    await startPool();
    const done = await service.waitForSweep(id, 20_000);
    expect(done).toMatchObject({ status: 'cancelled', progress: 1 });
    const rows = ((await request(app).get(`/v1/sweeps/${id}/result`).expect(200)).body as SweepResult).rows;
    expect(rows.map((row) => [row.status, row.summary])).toEqual(Array.from({ length: 4 }, () => ['cancelled', null]));
    expect((await service.get(rows[0]!.simulationId))?.status).toBe('cancelled');
    await request(app).delete(`/v1/sweeps/${id}`).expect(409);
    // Submitted again, a cancelled sweep runs.
    const rerun = await request(app)
      .post('/v1/sweeps?wait=30')
      .send({ base: base(4), axes: [{ path: 'workload.writesPerSec', values: [1000, 2000, 3000, 4000] }] })
      .expect(200);
    expect(rerun.body).toMatchObject({ id, status: 'completed' });
    expect(rerun.body.result.rows.every((row: { summary: unknown }) => row.summary !== null)).toBe(true);
  });

  it('streams progress as points finish and ends after the final status', async () => {
    const body = { base: base(5), axes: [{ path: 'workload.writesPerSec', from: 1000, to: 9000, steps: 9 }] };
    const res = await request(app).post('/v1/sweeps').send(body).expect(202);
    const id = (res.body as SweepRecord).id;
    const stream = await request(app).get(`/v1/sweeps/${id}/events`).buffer(true).parse((response, done) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => done(null, text));
    });
    expect(stream.headers['content-type']).toMatch(/text\/event-stream/);
    const events = sseEvents(stream.body as string);
    expect(events[0]!.event).toBe('record');
    expect(events.at(-1)).toMatchObject({ event: 'status', data: { id, status: 'completed', progress: 1, finishedPoints: 9 } });
    const progress = events.map((e) => e.data.progress);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
  });

  it('compares scenarios run on the queue, each difference against the first', async () => {
    const a = { ...base(7), kernel: { thp: 'never' } } as ScenarioInput;
    const b = { ...base(7), workload: { writesPerSec: 8000 } } as ScenarioInput;
    const res = await request(app).post('/v1/comparisons?wait=30').send({ scenarios: [a, b] }).expect(200);
    const [sa, sb] = [a, b].map((input) => forecast(ScenarioSchema.parse(input)).summary);
    expect(res.body.status).toBe('completed');
    expect(res.body.items[1].summary).toEqual(sb);
    expect(res.body.items[1].differences.writes).toBe(sb!.writes - sa!.writes);
    expect(res.body.items[1].differences.cowPeakBytes).toBe(sb!.cowPeakBytes - sa!.cowPeakBytes);
    expect(res.body.items[0].differences.cowPeakBytes).toBe(0);
  });

  it('does not mix its own keys with the simulation queue', async () => {
    const keys = storeKeys(prefix);
    const sweeps = new Queue(SWEEP_QUEUE_NAME, { connection: redis, prefix });
    expect(await sweeps.getJobCounts('failed')).toEqual({ failed: 0 });
    await sweeps.close();
    expect(keys.sweep('swp-0')).toBe(`${prefix}:sweep:swp-0`);
  });

  it('keeps running a sweep of a long point across a cancel: the running point finishes', async () => {
    const res = await request(app)
      .post('/v1/sweeps')
      .send({ base: { ...longScenario(6, 3), dataset: { usedMemoryBytes: '1GiB', valueBytes: 100 }, workload: { writesPerSec: 1e7, serviceUsecPerWrite: 0.1 }, kernel: { cowFaultUsec: 0.01 }, snapshot: { durationSec: 3 }, simulation: { mode: 'exact', seed: 6 } }, axes: [{ path: 'simulation.seed', values: [6, 7, 8, 9, 10, 11] }] })
      .expect(202);
    const id = (res.body as SweepRecord).id;
    await until(async () => ((await service.getSweep(id))?.status === 'running' || runs.length > 0 ? true : undefined), 20_000, 'a point to start');
    const cancelled = await request(app).delete(`/v1/sweeps/${id}`);
    expect(cancelled.status).toBe(202);
    const done = await service.waitForSweep(id, 60_000);
    expect(done?.status).toBe('cancelled');
    const rows = ((await request(app).get(`/v1/sweeps/${id}/result`).expect(200)).body as SweepResult).rows;
    const completed = rows.filter((row) => row.status === 'completed').length;
    expect(completed).toBeGreaterThanOrEqual(1);
    expect(completed).toBeLessThanOrEqual(2);
    expect(rows.filter((row) => row.status === 'cancelled')).toHaveLength(6 - completed);
  });
});
