// POST /v1/plans and /v1/hosts end to end: the app over the BullMQ services, a worker pool
// running the sandboxed processor, and a real Redis under a fresh prefix.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { createBullmqPlanningService } from '../../src/queue/bullmq-planning-service.js';
import { createBullmqSimulationService } from '../../src/queue/bullmq-simulation-service.js';
import { createWorkerPool, type WorkerPool } from '../../src/queue/worker-pool.js';
import { simulate } from '../../src/engine/simulate.js';
import { PlanRequestSchema, type PlanResult, type HostResult } from '../../src/schemas/planning.js';
import { ScenarioSchema, type ScenarioInput } from '../../src/schemas/scenario.js';
import { planningId } from '../../src/service/job-id.js';
import type { PlanningService } from '../../src/service/planning-service.js';
import type { SimulationService } from '../../src/service/simulation-service.js';
import { deleteKeys, randomPrefix, REDIS_URL, until } from '../queue/support.js';
import { TEST_CONFIG } from '../support/http-app.js';
import { SWEEP_LAYERS } from '../../src/pictures/sweep-chart-spec.js';

const TTL_SEC = 600;
const MiB = 1024 * 1024;
const base: ScenarioInput = { dataset: { usedMemoryBytes: '128MiB', valueBytes: 100 }, workload: { writesPerSec: 5000 }, snapshot: { durationSec: 10 }, simulation: { maxPoints: 200 } };
const planBody = { base, question: 'max-write-rate', host: { memoryBytes: '256MiB', reservedBytes: 0 }, headroomPercent: 20 };

describe('/v1/plans and /v1/hosts over BullMQ', () => {
  const prefix = randomPrefix();
  let service: SimulationService;
  let planning: PlanningService;
  let pool: WorkerPool;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    service = createBullmqSimulationService({ redisUrl: REDIS_URL, prefix, resultTtlSec: TTL_SEC });
    planning = createBullmqPlanningService({ redisUrl: REDIS_URL, prefix, resultTtlSec: TTL_SEC });
    pool = createWorkerPool({ redisUrl: REDIS_URL, prefix, concurrency: 2, resultTtlSec: TTL_SEC });
    await pool.waitUntilReady();
    app = createApp({ service, planning, config: TEST_CONFIG });
  });

  afterAll(async () => {
    await pool.close(5000);
    await planning.close();
    await service.close();
    await deleteKeys(prefix);
  });

  it('marks a plan\'s answer on the chart of a sweep over the same field', async () => {
    const plan = await request(app).post('/v1/plans?wait=60').send(planBody).expect(200);
    const sweepBody = { base: { ...base, host: { memoryBytes: '256MiB', reservedBytes: 0 } }, axes: [{ path: 'workload.writesPerSec', values: [1000, 10_000, 50_000, 200_000] }] };
    const sweep = await request(app).post('/v1/sweeps?wait=60').send(sweepBody).expect(200);
    const chart = (query: string) => request(app).get(`/v1/sweeps/${sweep.body.id}/chart.svg${query}`);
    const svg = async (query: string) => {
      const res = await chart(query)
        .buffer(true)
        .parse((r, done) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => done(null, Buffer.concat(chunks)));
        })
        .expect(200);
      return (res.body as Buffer).toString('utf8');
    };
    expect(await svg('')).not.toContain(`${SWEEP_LAYERS.answer}_marks`);
    const marked = await svg(`?plan=${plan.body.id}`);
    expect(marked).toContain(`${SWEEP_LAYERS.answer}_marks`);
    expect(marked).toContain(`max-write-rate: ${(plan.body.result as PlanResult).answer.value} writes/s`);
    await chart('?plan=plan-0000000000000000').expect(404);
    await chart('?plan=nonsense').expect(400);
  });

  it('answers a plan with ?wait, under its content-hash id, and serves it again from the store', async () => {
    const res = await request(app).post('/v1/plans?wait=60').send(planBody).expect(200);
    const id = planningId('plan', PlanRequestSchema.parse(planBody));
    expect(res.body).toMatchObject({ id, status: 'completed', progress: 1, links: { self: `/v1/plans/${id}` } });
    expect(res.headers.location).toBe(`/v1/plans/${id}`);
    const result = res.body.result as PlanResult;
    expect(result.question).toBe('max-write-rate');
    expect(result.answer.unit).toBe('writes/s');
    // The answer, simulated here, sits within the headroom; one step more does not.
    const budget = 256 * MiB * 0.8;
    const at = (writesPerSec: number) => simulate(ScenarioSchema.parse({ ...result.boundary!.scenario, workload: { ...result.boundary!.scenario.workload, writesPerSec } })).summary.oom.peakBytes;
    expect(at(result.answer.value!)).toBeLessThanOrEqual(budget);
    expect(at(result.answer.value! + result.step!)).toBeGreaterThan(budget);
    expect(result.cloudRules.map((r) => r.rule)).toEqual(['aws-elasticache-reserved-memory-percent', 'azure-maxmemory-reserved', 'gcp-memorystore-export']);

    const again = await request(app).post('/v1/plans').send(planBody).expect(200);
    expect(again.body.id).toBe(id);
    const read = await request(app).get(`/v1/plans/${id}`).expect(200);
    expect(read.body.result).toEqual(result);
    // Plans are not simulations.
    const list = await request(app).get('/v1/simulations').expect(200);
    expect(list.body.items.map((i: { id: string }) => i.id)).not.toContain(id);
  });

  it('queues a plan with 202 + Location + Retry-After and completes it for a poller', async () => {
    const body = { ...planBody, question: 'min-host-memory', host: {} };
    const res = await request(app).post('/v1/plans').send(body).expect(202);
    expect(res.headers.location).toBe(`/v1/plans/${res.body.id}`);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.body.status).toMatch(/^(queued|running)$/);
    const done = await until(async () => {
      const r = await request(app).get(res.headers.location!).expect(200);
      return r.body.status === 'completed' ? r.body : undefined;
    }, 60_000, 'the plan');
    const memory = (done.result as PlanResult).answer.value!;
    const peak = (m: number) => simulate(ScenarioSchema.parse({ ...base, host: { memoryBytes: m } })).summary.oom.peakBytes;
    expect(peak(memory)).toBeLessThanOrEqual(memory * 0.8);
    expect(peak(memory - MiB)).toBeGreaterThan((memory - MiB) * 0.8);
  });

  it('answers a host plan whose peak is the maximum of its summed series', async () => {
    const instances = ['a', 'b'].map((name) => ({ name, scenario: base, snapshotEverySec: 60 }));
    const res = await request(app).post('/v1/hosts?wait=60').send({ memoryBytes: '2GiB', horizonSec: 120, instances }).expect(200);
    expect(res.body.id).toMatch(/^host-[0-9a-f]{16}$/);
    const result = res.body.result as HostResult;
    expect(result.peak.bytes).toBe(Math.max(...result.series.hostMemoryBytes));
    expect(result.overlapCount).toBe(2);
    expect(result.stagger.peakBytes).toBeLessThan(result.peak.bytes);
    await request(app).get(`/v1/hosts/${res.body.id}`).expect(200);
  });

  it('rejects bad requests with 422 naming the field and the limit, and unknown ids with 404', async () => {
    const missing = await request(app).post('/v1/plans').send({ ...planBody, host: {} }).expect(422);
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(missing.body.errors).toEqual([{ path: 'host.memoryBytes', message: 'required for question max-write-rate' }]);
    const headroom = await request(app).post('/v1/plans').send({ ...planBody, headroomPercent: 150 }).expect(422);
    expect(headroom.body.errors).toEqual([{ path: 'headroomPercent', message: 'Too big: expected number to be <=99' }]);
    const question = await request(app).post('/v1/plans').send({ ...planBody, question: 'max-everything' }).expect(422);
    expect(question.body.errors[0].path).toBe('question');
    const many = Array.from({ length: 65 }, (_, i) => ({ name: `i${i}`, scenario: base }));
    const hosts = await request(app).post('/v1/hosts').send({ memoryBytes: '2GiB', horizonSec: 60, instances: many }).expect(422);
    expect(hosts.body.errors).toEqual([{ path: 'instances', message: 'Too big: expected array to have <=64 items' }]);
    const nf = await request(app).get('/v1/plans/plan-0000000000000000').expect(404);
    expect(nf.body.code).toBe('PLAN_NOT_FOUND');
    // A plan's id is no host plan's.
    await request(app).get(`/v1/hosts/${planningId('plan', PlanRequestSchema.parse(planBody))}`).expect(404);
  });
});
