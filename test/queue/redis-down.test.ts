// Redis away: every call fails within a second with an error the HTTP layer maps to 503, and
// the same service object works again once Redis is back.
import { describe, expect, it } from 'vitest';
import { createBullmqSimulationService } from '../../src/queue/bullmq-simulation-service.js';
import { findRedisServer, freeLoopbackPort, startPrivateRedis } from '../../src/runtime/private-redis.js';
import { ServiceUnavailableError } from '../../src/service/errors.js';
import { quickScenario, randomPrefix, until } from './support.js';

async function timed<T>(promise: Promise<T>): Promise<{ ms: number; error: unknown }> {
  const started = Date.now();
  try {
    await promise;
    return { ms: Date.now() - started, error: undefined };
  } catch (error) {
    return { ms: Date.now() - started, error };
  }
}

describe('with Redis unreachable', () => {
  it('rejects every call in under a second with ServiceUnavailableError', async () => {
    const port = await freeLoopbackPort();
    const service = createBullmqSimulationService({ redisUrl: `redis://127.0.0.1:${port}`, prefix: randomPrefix(), resultTtlSec: 60 });
    try {
      // All made at once; each must settle within a second of being made.
      const calls = {
        submit: timed(service.submit(quickScenario())),
        get: timed(service.get('sim-0000000000000000')),
        result: timed(service.result('sim-0000000000000000')),
        cancel: timed(service.cancel('sim-0000000000000000')),
        list: timed(service.list(10)),
        counts: timed(service.counts()),
        waitUntilFinished: timed(service.waitUntilFinished('sim-0000000000000000', 5000)),
        subscribe: timed(service.subscribe('sim-0000000000000000', () => {})),
      };
      for (const [name, call] of Object.entries(calls)) {
        const { ms, error } = await call;
        expect(error, name).toBeInstanceOf(ServiceUnavailableError);
        expect(ms, name).toBeLessThan(1000);
      }
      const started = Date.now();
      expect(await service.ready()).toBe(false);
      expect(Date.now() - started).toBeLessThan(1000);
    } finally {
      await service.close();
    }
  });
});

describe.skipIf(!findRedisServer())('when Redis goes away and comes back', () => {
  it('fails fast meanwhile and recovers without a restart', async () => {
    const port = await freeLoopbackPort();
    let redis = await startPrivateRedis({ port });
    const service = createBullmqSimulationService({ redisUrl: redis.url, prefix: randomPrefix(), resultTtlSec: 60 });
    try {
      expect((await service.submit(quickScenario(1))).created).toBe(true);

      await redis.stop();
      const { ms, error } = await timed(service.submit(quickScenario(2)));
      expect(error).toBeInstanceOf(ServiceUnavailableError);
      expect(ms).toBeLessThan(1000);
      expect(await service.ready()).toBe(false);

      redis = await startPrivateRedis({ port });
      await until(async () => (await service.ready()) || undefined, 5000, 'the service to reconnect');
      expect((await service.submit(quickScenario(2))).created).toBe(true);
      expect(await service.counts()).toMatchObject({ waiting: 1 });
    } finally {
      await service.close();
      await redis.stop();
    }
  });
});
