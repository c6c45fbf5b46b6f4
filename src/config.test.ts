import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('fills the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: '0.0.0.0',
      redisUrl: 'redis://127.0.0.1:6379',
      redisUrlExplicit: false,
      queuePrefix: 'forkcast',
      workers: true,
      resultTtlSec: 604_800,
      shutdownTimeoutMs: 10_000,
      bodyLimitBytes: 1_048_576,
      maxWaitSec: 60,
      rateLimitPerMin: 600,
      maxPoints: 100_000,
      maxSweepPoints: 1000,
    });
    expect(config.workerConcurrency).toBeGreaterThanOrEqual(1);
  });

  it('parses numbers, sizes and flags', () => {
    const config = loadConfig({
      PORT: '8080',
      REDIS_URL: 'redis://redis:6379/2',
      QUEUE_PREFIX: '{forkcast}',
      WORKERS: '0',
      BODY_LIMIT_BYTES: '2MiB',
      RESULT_TTL_SEC: '3600',
    });
    expect(config).toMatchObject({
      port: 8080,
      redisUrl: 'redis://redis:6379/2',
      redisUrlExplicit: true,
      queuePrefix: '{forkcast}',
      workers: false,
      bodyLimitBytes: 2 * 1024 * 1024,
      resultTtlSec: 3600,
    });
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ REDIS_URL: '' }).redisUrlExplicit).toBe(false);
  });

  it('names every bad variable', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', REDIS_URL: 'http://x', QUEUE_PREFIX: 'a:b', WORKER_CONCURRENCY: '0' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const variables = (error as ConfigError).issues.map((i) => i.variable).sort();
    expect(variables).toEqual(['PORT', 'QUEUE_PREFIX', 'REDIS_URL', 'WORKER_CONCURRENCY']);
    expect((error as Error).message).toMatch(/PORT: /);
  });

  it('names the limits of a byte size', () => {
    expect(() => loadConfig({ BODY_LIMIT_BYTES: '1GiB' })).toThrow(/BODY_LIMIT_BYTES: must be a whole number of bytes from 1.00 KiB to 64.00 MiB/);
    expect(() => loadConfig({ BODY_LIMIT_BYTES: 'lots' })).toThrow(/BODY_LIMIT_BYTES: expected a byte count or a size/);
  });
});
