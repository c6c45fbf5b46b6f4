// A control connection to a redis-server of the harness's own: on loopback, connected when
// asked, failing fast instead of retrying, so a dead server ends a measurement at once.
import { Redis } from 'ioredis';

export function connectLoopback(port: number): Redis {
  const redis = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  // Errors reach the commands that fail; the connection's own event would crash the process.
  redis.on('error', () => undefined);
  return redis;
}
