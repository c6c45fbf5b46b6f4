// ioredis clients for the three ways the service talks to Redis. The API's client fails fast
// (no offline queue, short timeouts) so that a request never hangs on a Redis that is down;
// workers' clients wait and retry, as BullMQ requires; all of them reconnect forever, so the
// service recovers by itself when Redis returns.
import { Redis, type RedisOptions } from 'ioredis';
import { within } from '../runtime/deadline.js';
import { ServiceUnavailableError } from '../service/errors.js';

export type RedisRole =
  /** Requests on behalf of API calls: commands fail at once while disconnected. */
  | 'command'
  /** BullMQ workers and long-lived background clients: commands wait for the connection. */
  | 'worker';

export interface RedisClientOptions {
  /** Connect timeout, ms. @defaultValue 1000 for 'command', 10000 for 'worker' */
  connectTimeoutMs?: number;
  /** Per-command timeout for 'command' clients, ms. @defaultValue 2000 */
  commandTimeoutMs?: number;
  /** CLIENT SETNAME, handy in CLIENT LIST. */
  connectionName?: string;
  /** Connection errors; ioredis keeps reconnecting after each. @defaultValue ignore */
  onError?: (err: Error) => void;
}

/** Longest pause between reconnect attempts, ms: bounds how long recovery takes after an outage. */
const MAX_RECONNECT_DELAY_MS = 1000;

export function createRedisClient(url: string, role: RedisRole, options: RedisClientOptions = {}): Redis {
  const common: RedisOptions = {
    connectionName: options.connectionName,
    retryStrategy: (times) => Math.min(times * 100, MAX_RECONNECT_DELAY_MS),
  };
  const client =
    role === 'command'
      ? new Redis(url, {
          ...common,
          enableOfflineQueue: false,
          maxRetriesPerRequest: 1,
          connectTimeout: options.connectTimeoutMs ?? 1000,
          commandTimeout: options.commandTimeoutMs ?? 2000,
        })
      : new Redis(url, {
          ...common,
          // BullMQ's blocking connections reject any other value.
          maxRetriesPerRequest: null,
          connectTimeout: options.connectTimeoutMs ?? 10_000,
        });
  client.on('error', options.onError ?? (() => {}));
  return client;
}

/**
 * Resolves once `client` is connected, or rejects with ServiceUnavailableError after
 * `timeoutMs`: lets a fail-fast client ride out its first connect without failing requests
 * while Redis is up, and without hanging them while it is down.
 */
export async function whenReady(client: Redis, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return;
  if (client.status === 'end') throw new ServiceUnavailableError('Redis connection is closed');
  if (client.status === 'wait') client.connect().catch(() => {});
  let onReady!: () => void;
  const ready = new Promise<void>((resolve) => (onReady = () => resolve()));
  client.once('ready', onReady);
  try {
    await within(ready, timeoutMs, () => {
      throw new ServiceUnavailableError(`Redis did not answer within ${timeoutMs} ms (${client.status})`);
    });
  } finally {
    client.off('ready', onReady);
  }
}

/** Closes `client`, politely if it answers within `timeoutMs`, else by dropping the socket. */
export async function closeRedisClient(client: Redis, timeoutMs = 1000): Promise<void> {
  if (client.status === 'end') return;
  if (client.status !== 'ready') {
    client.disconnect();
    return;
  }
  await within(client.quit().catch(() => {}), timeoutMs, () => undefined);
  client.disconnect();
}
