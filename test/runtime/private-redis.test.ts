import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ensureRedis, NoRedisError } from '../../src/runtime/ensure-redis.js';
import { findRedisServer, freeLoopbackPort, redisAnswers, startPrivateRedis } from '../../src/runtime/private-redis.js';
import { pino } from 'pino';

const silent = pino({ level: 'silent' });

describe.skipIf(!findRedisServer())('private redis-server', () => {
  it('starts on a free loopback port and stops exactly that process', async () => {
    const redis = await startPrivateRedis();
    expect(redis.url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    expect(await redisAnswers(redis.url)).toBe(true);
    expect(existsSync(redis.dir)).toBe(true);
    await redis.stop();
    expect(await redisAnswers(redis.url, 200)).toBe(false);
    expect(() => process.kill(redis.pid, 0)).toThrow();
    expect(existsSync(redis.dir)).toBe(false);
  });

  it('is what ensureRedis falls back to when the default URL is dead', async () => {
    const deadUrl = `redis://127.0.0.1:${await freeLoopbackPort()}`;
    const choice = await ensureRedis({ url: deadUrl, explicit: false }, silent);
    try {
      expect(choice.url).not.toBe(deadUrl);
      expect(await redisAnswers(choice.url)).toBe(true);
    } finally {
      await choice.stop();
    }
  });
});

describe('ensureRedis', () => {
  it('uses a Redis that answers', async () => {
    const choice = await ensureRedis({ url: 'redis://127.0.0.1:6379', explicit: true }, silent);
    expect(choice.url).toBe('redis://127.0.0.1:6379');
  });

  it('names docker compose when an explicit REDIS_URL does not answer', async () => {
    const deadUrl = `redis://127.0.0.1:${await freeLoopbackPort()}`;
    const attempt = ensureRedis({ url: deadUrl, explicit: true }, silent);
    await expect(attempt).rejects.toBeInstanceOf(NoRedisError);
    await expect(attempt).rejects.toThrow(/docker compose up/);
  });
});
