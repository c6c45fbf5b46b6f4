// Shared by the queue tests: a real Redis, a fresh key prefix per test, scenarios of known run
// time, and polling with a deadline.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { ScenarioSchema, type Scenario, type ScenarioInput } from '../../src/schemas/scenario.js';

export const REDIS_URL = process.env.FORKCAST_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function randomPrefix(): string {
  return `fc-test-${randomBytes(5).toString('hex')}`;
}

/** Deletes every key under `prefix`. */
export async function deleteKeys(prefix: string, url = REDIS_URL): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export function scenario(input: ScenarioInput): Scenario {
  return ScenarioSchema.parse(input);
}

/** Analytic mode, 64 MiB: finishes in milliseconds. */
export function quickScenario(seed = 1): Scenario {
  return scenario({
    dataset: { usedMemoryBytes: '64MiB', valueBytes: 100 },
    workload: { writesPerSec: 1000 },
    snapshot: { durationSec: 2 },
    simulation: { seed, maxPoints: 200 },
  });
}

/**
 * Exact mode walking about 10^7 writes per simulated second over a 1 GiB heap (writes made
 * nearly free so that the offered rate is served): about 0.45 s of engine time per simulated
 * second on the reference machine, with progress every 1/110 of the run.
 */
export function longScenario(seed: number, durationSec = 10): Scenario {
  return scenario({
    dataset: { usedMemoryBytes: '1GiB', valueBytes: 100 },
    workload: { writesPerSec: 1e7, serviceUsecPerWrite: 0.1 },
    kernel: { cowFaultUsec: 0.01 },
    snapshot: { durationSec },
    simulation: { mode: 'exact', seed },
  });
}

/** Polls `probe` until it returns a value other than undefined; rejects after `timeoutMs`. */
export async function until<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number, what: string, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
