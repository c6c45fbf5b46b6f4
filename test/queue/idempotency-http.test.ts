// Idempotency-Key through the HTTP layer and the BullMQ service against a real Redis: scoped to
// the client address, bound to the body. The server listens on the dual-stack wildcard so that
// two real clients, 127.0.0.1 and ::1, reach it from two addresses.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { createBullmqSimulationService } from '../../src/queue/bullmq-simulation-service.js';
import type { SimulationService } from '../../src/service/simulation-service.js';
import { smallScenario, TEST_CONFIG } from '../support/http-app.js';
import { deleteKeys, randomPrefix, REDIS_URL } from './support.js';

const TTL_SEC = 600;

describe('Idempotency-Key over HTTP with the BullMQ service', () => {
  const prefix = randomPrefix();
  let service: SimulationService;
  let server: Server;
  let v4: string;
  let v6: string;

  beforeAll(async () => {
    // No workers: the records stay queued, which is all an idempotent submit needs.
    service = createBullmqSimulationService({ redisUrl: REDIS_URL, prefix, resultTtlSec: TTL_SEC });
    const app = createApp({ service, config: TEST_CONFIG });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '::', () => resolve(s));
    });
    const { port } = server.address() as AddressInfo;
    v4 = `http://127.0.0.1:${port}`;
    v6 = `http://[::1]:${port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await service.close();
    await deleteKeys(prefix);
  });

  const post = (base: string, key: string, body: object) => request(base).post('/v1/simulations').set('Idempotency-Key', key).send(body);

  it('answers the same key and body with the same simulation, another body with 422 IDEMPOTENCY_KEY_REUSED', async () => {
    const first = { ...smallScenario({ simulation: { seed: 31 } }), name: 'tenant-a-nightly' };
    const a = await post(v4, 'k-1', first).expect(202);
    const b = await post(v4, 'k-1', first).expect(202);
    expect(b.body.id).toBe(a.body.id);
    expect(a.body.id).toMatch(/^key-[0-9a-f]{16}$/);
    const reused = await post(v4, 'k-1', smallScenario({ simulation: { seed: 32 } }))
      .expect(422)
      .expect('content-type', /application\/problem\+json/);
    expect(reused.body).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', errors: [{ path: 'idempotency-key' }] });
    expect(reused.text).not.toContain(a.body.id);
    expect(reused.text).not.toContain('tenant-a-nightly');
    expect((await service.get(a.body.id))?.status).toBe('queued');
  });

  it('gives two clients choosing the same key two independent simulations', async () => {
    const fromV4 = await post(v4, 'shared-key', smallScenario({ simulation: { seed: 41 } })).expect(202);
    const fromV6 = await post(v6, 'shared-key', smallScenario({ simulation: { seed: 42 } })).expect(202);
    expect(fromV6.body.id).not.toBe(fromV4.body.id);
    // Each keeps its own body: the first client's retry is its own, the second's likewise.
    expect((await post(v4, 'shared-key', smallScenario({ simulation: { seed: 41 } })).expect(202)).body.id).toBe(fromV4.body.id);
    expect((await post(v6, 'shared-key', smallScenario({ simulation: { seed: 42 } })).expect(202)).body.id).toBe(fromV6.body.id);
    await post(v6, 'shared-key', smallScenario({ simulation: { seed: 41 } })).expect(422);
  });
});
