// Tells a running simulation when to stop. The engine runs synchronously on the processor's
// main thread, so nothing asynchronous (a Redis reply, an IPC message, a signal handler) can
// reach it until it returns. A small worker thread does the asking instead: every
// `pollIntervalMs` it reads the job's cancel flag and BullMQ's lock of the job, and writes
// the verdict into shared memory, which the engine's `shouldCancel` reads for free.
//
// - cancel flag set → 'cancel': the user asked to stop.
// - lock no longer holds our token → 'lost': the job was released on shutdown, or its lock
//   expired and another worker may have it; this run's outcome would not count anyway.
// - parent process gone (a SIGKILLed worker) → the thread kills this process, so that no
//   orphan keeps computing a job that the next worker will run again (BullMQ's child would
//   otherwise live on, spinning, once its IPC channel is gone).
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { within } from '../runtime/deadline.js';

export type StopReason = 'cancel' | 'lost';

export interface RunWatchOptions {
  redisUrl: string;
  /** Interval between checks, ms. @defaultValue 100 */
  pollIntervalMs?: number;
  /** Longest wait for the thread to start, ms. @defaultValue 5000 */
  readyTimeoutMs?: number;
}

export interface WatchTarget {
  cancelKey: string;
  lockKey: string;
  /** BullMQ token of this run: the value of the lock while the job is ours. */
  token: string;
}

export interface RunWatch {
  /** False once the thread has died; make a new watch then. */
  readonly alive: boolean;
  /** Starts watching a run; the returned function answers, without I/O, whether to stop. */
  watch(target: WatchTarget): () => StopReason | undefined;
  unwatch(): void;
  close(): Promise<void>;
}

// Slot 0 holds generation * 4 + verdict (0 go, 1 cancel, 2 lost): a verdict about an earlier
// run, written by a poll still in flight when the next run began, is ignored.
const VERDICT_CANCEL = 1;
const VERDICT_LOST = 2;
const GENERATIONS = 1 << 28;

const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { Redis } = require(workerData.ioredisPath);
const verdict = new Int32Array(workerData.shared);
const redis = new Redis(workerData.redisUrl, {
  maxRetriesPerRequest: 1,
  connectTimeout: 2000,
  commandTimeout: 2000,
  retryStrategy: (times) => Math.min(times * 100, 1000),
});
redis.on('error', () => {});
let target = null;
let busy = false;
parentPort.on('message', (message) => {
  if (message.type === 'watch') target = message;
  else if (message.type === 'unwatch') target = null;
  else if (message.type === 'close') {
    clearInterval(timer);
    redis.disconnect();
    parentPort.close();
  }
});
const timer = setInterval(async () => {
  if (process.ppid !== workerData.parentPid) process.kill(process.pid, 'SIGKILL');
  const current = target;
  if (current === null || busy) return;
  busy = true;
  try {
    const [[, cancelled], [, owner]] = await redis.pipeline().exists(current.cancelKey).get(current.lockKey).exec();
    if (target !== current) return;
    if (cancelled === 1) Atomics.store(verdict, 0, current.generation * 4 + ${VERDICT_CANCEL});
    else if (owner !== current.token) Atomics.store(verdict, 0, current.generation * 4 + ${VERDICT_LOST});
  } catch {
    // Redis unreachable: no verdict; BullMQ decides about the job once it is back.
  } finally {
    busy = false;
  }
}, workerData.pollIntervalMs);
parentPort.postMessage('ready');
`;

/**
 * Starts the watching thread and resolves once it runs: a thread still booting when the engine
 * takes the main thread would only start after the run.
 */
export async function createRunWatch({ redisUrl, pollIntervalMs = 100, readyTimeoutMs = 5000 }: RunWatchOptions): Promise<RunWatch> {
  const shared = new SharedArrayBuffer(4);
  const verdict = new Int32Array(shared);
  const thread = new Worker(THREAD_SOURCE, {
    eval: true,
    // Plain JavaScript: no loader flags of the parent (tsx) to slow its start.
    execArgv: [],
    workerData: {
      shared,
      redisUrl,
      pollIntervalMs,
      parentPid: process.ppid,
      ioredisPath: createRequire(import.meta.url).resolve('ioredis'),
    },
  });
  let alive = true;
  let failure: Error | undefined;
  thread.on('error', (err) => {
    failure = err;
    console.error('run watch thread failed:', err);
  });
  thread.on('exit', () => {
    alive = false;
  });
  const started = new Promise<void>((resolve, reject) => {
    thread.once('message', () => resolve());
    thread.once('exit', () => reject(failure ?? new Error('run watch thread exited before it started')));
  });
  try {
    await within(started, readyTimeoutMs, () => {
      throw new Error(`run watch thread did not start within ${readyTimeoutMs} ms`);
    });
  } catch (err) {
    await thread.terminate();
    throw err;
  }
  // The thread must not keep a finished processor alive.
  thread.unref();
  let generation = 0;

  return {
    get alive() {
      return alive;
    },
    watch(target) {
      generation = (generation + 1) % GENERATIONS;
      const mine = generation;
      Atomics.store(verdict, 0, mine * 4);
      thread.postMessage({ type: 'watch', generation: mine, ...target });
      return () => {
        const value = Atomics.load(verdict, 0);
        if (value >> 2 !== mine) return undefined;
        const code = value & 3;
        return code === VERDICT_CANCEL ? 'cancel' : code === VERDICT_LOST ? 'lost' : undefined;
      };
    },
    unwatch() {
      thread.postMessage({ type: 'unwatch' });
    },
    async close() {
      thread.postMessage({ type: 'close' });
      await thread.terminate();
    },
  };
}
