// A throwaway redis-server for `npm start` on a machine without a Redis: own loopback port, own
// temporary directory, no persistence. Only this exact process is stopped on exit.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { Redis } from 'ioredis';
import { within } from './deadline.js';

export interface PrivateRedis {
  url: string;
  pid: number;
  /** Its working directory, removed on stop. */
  dir: string;
  stop(): Promise<void>;
}

/** True when a Redis at `url` answers PING within `timeoutMs`. */
export async function redisAnswers(url: string, timeoutMs = 1000): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** Absolute path of `redis-server` on PATH, if any. */
export function findRedisServer(path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'redis-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** A loopback port nothing listens on at the moment. */
export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

export interface StartPrivateRedisOptions {
  /** @defaultValue the redis-server on PATH */
  executable?: string;
  /** Loopback port. @defaultValue a free one */
  port?: number;
  /** How long to wait for the first PONG, ms. @defaultValue 5000 */
  startTimeoutMs?: number;
}

export async function startPrivateRedis(options: StartPrivateRedisOptions = {}): Promise<PrivateRedis> {
  const { executable = findRedisServer(), startTimeoutMs = 5000 } = options;
  if (!executable) throw new Error('redis-server is not on PATH');
  const port = options.port ?? (await freeLoopbackPort());
  const dir = await mkdtemp(join(tmpdir(), 'forkcast-redis-'));
  const child = spawn(
    executable,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--loglevel', 'warning'],
    // Its own process group: a Ctrl-C in the terminal reaches this process, which then stops
    // Redis after the workers that still need it.
    { stdio: ['ignore', 'ignore', 'inherit'], detached: true },
  );
  const url = `redis://127.0.0.1:${port}`;
  // Whatever way this process exits, the server goes with it.
  const killOnExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  process.on('exit', killOnExit);
  const stop = async () => {
    process.off('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await within(exited(child), 2000, () => {
        child.kill('SIGKILL');
        return exited(child);
      });
    }
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + startTimeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    if (await redisAnswers(url, 200)) return { url, pid: child.pid!, dir, stop };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await stop();
  throw new Error(`redis-server on port ${port} did not answer within ${startTimeoutMs} ms`);
}
