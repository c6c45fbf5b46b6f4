// The Redis the process will use: the one at REDIS_URL when it answers; else, for a default
// URL on a machine with redis-server installed, a private one; else a message saying how to
// get one.
import type { Logger } from 'pino';
import { findRedisServer, redisAnswers, startPrivateRedis } from './private-redis.js';

export interface RedisChoice {
  url: string;
  /** Stops the private redis-server, when one was started. */
  stop(): Promise<void>;
}

export class NoRedisError extends Error {
  constructor(url: string, explicit: boolean) {
    super(
      `No Redis answers at ${url}. ` +
        (explicit ? 'Check REDIS_URL, ' : 'Install redis-server (a private one is then started for you), ') +
        'or start one with `docker compose up -d redis` (the whole service: `docker compose up`).',
    );
    this.name = 'NoRedisError';
  }
}

export async function ensureRedis({ url, explicit }: { url: string; explicit: boolean }, logger: Logger): Promise<RedisChoice> {
  if (await redisAnswers(url)) return { url, stop: async () => {} };
  const executable = explicit ? undefined : findRedisServer();
  if (!executable) throw new NoRedisError(url, explicit);
  const redis = await startPrivateRedis({ executable });
  logger.warn({ url: redis.url, pid: redis.pid }, `nothing answers at ${url}: started a private redis-server (no persistence)`);
  return { url: redis.url, stop: redis.stop };
}
