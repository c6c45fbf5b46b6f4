// HTTP throughput and latency of the API over the real BullMQ service, with a worker pool in
// this process, on loopback: `npm run bench:api`. Targets: at least 300 req/s with
// p99 under 50 ms for a cached scenario, and a fresh 1 GiB scenario from POST to completed
// result in under 1 s. Each load phase runs BENCH_PHASE_SEC seconds (default 10, at most 20).
// Redis: REDIS_URL, or a private redis-server when nothing answers at the default URL.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { availableParallelism, cpus } from 'node:os';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import { createApp } from '../src/http/app.js';
import { EXAMPLE_SCENARIO } from '../src/http/openapi-parts.js';
import { createBullmqSimulationService } from '../src/queue/bullmq-simulation-service.js';
import { createWorkerPool } from '../src/queue/worker-pool.js';
import { ensureRedis } from '../src/runtime/ensure-redis.js';
import { deleteKeys } from '../test/queue/support.js';

const PHASE_SEC = Math.min(20, Number(process.env.BENCH_PHASE_SEC ?? 10));
const CONNECTIONS = 10;
const FRESH_RUNS = 5;
const TARGET_RPS = 300;
const TARGET_P99_MS = 50;
const TARGET_FRESH_MS = 1000;

// Warm-up, two load phases, the fresh runs and cleanup fit well inside this.
const WATCHDOG_SEC = 2 * PHASE_SEC + 90;
setTimeout(() => {
  console.error(`bench: still running after ${WATCHDOG_SEC} s; giving up`);
  process.exit(1);
}, WATCHDOG_SEC * 1000).unref();

const logger = pino({ level: process.env.LOG_LEVEL ?? 'warn' });
// The bench measures the service, not the rate limiter.
const config = { ...loadConfig(), rateLimitPerMin: 10_000_000 };
const redis = await ensureRedis({ url: config.redisUrl, explicit: config.redisUrlExplicit }, logger);
const prefix = `forkcast-bench-${randomBytes(4).toString('hex')}`;
const service = createBullmqSimulationService({ redisUrl: redis.url, prefix, resultTtlSec: 600, logger });
const pool = createWorkerPool({ redisUrl: redis.url, prefix, concurrency: availableParallelism(), resultTtlSec: 600, logger });
await pool.waitUntilReady();
const server = createApp({ service, config, logger }).listen(0, '127.0.0.1');
await once(server, 'listening');
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

interface Phase {
  name: string;
  rps: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

async function load(name: string, options: Omit<autocannon.Options, 'url' | 'duration' | 'connections'> & { path: string }): Promise<Phase> {
  const { path, ...rest } = options;
  const result = await autocannon({ url: `${base}${path}`, duration: PHASE_SEC, connections: CONNECTIONS, ...rest });
  return { name, rps: result.requests.average, p99Ms: result.latency.p99, non2xx: result.non2xx, errors: result.errors + result.timeouts };
}

async function post(path: string, body: unknown): Promise<{ status: number; json: { id: string; status: string; result?: unknown } }> {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as { id: string; status: string; result?: unknown } };
}

const verdict = (ok: boolean) => (ok ? 'meets target' : 'MISSES target');

try {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(`machine: ${cpu}, ${availableParallelism()} cores; Node ${process.version}; Redis at ${redis.url}`);
  console.log(`load: ${CONNECTIONS} connections, ${PHASE_SEC} s per phase, loopback\n`);

  // The cached scenario: simulated once here, then every POST is answered from the store.
  const cached = await post('/v1/simulations?wait=30', EXAMPLE_SCENARIO);
  if (cached.status !== 200 || cached.json.status !== 'completed') throw new Error(`warm-up did not complete: ${cached.status} ${JSON.stringify(cached.json)}`);

  const phases = [
    await load('POST /v1/simulations (cached scenario)', {
      path: '/v1/simulations',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(EXAMPLE_SCENARIO),
    }),
    await load('GET /v1/simulations/{id}', { path: `/v1/simulations/${cached.json.id}` }),
  ];
  for (const p of phases) {
    const ok = p.rps >= TARGET_RPS && p.p99Ms < TARGET_P99_MS && p.non2xx === 0 && p.errors === 0;
    console.log(`${p.name}: ${p.rps.toFixed(0)} req/s, p99 ${p.p99Ms} ms, non-2xx ${p.non2xx}, errors ${p.errors} — ${verdict(ok)} (≥ ${TARGET_RPS} req/s, p99 < ${TARGET_P99_MS} ms)`);
  }

  // Fresh scenarios: a new seed each time, so nothing is cached.
  const times: number[] = [];
  for (let i = 0; i < FRESH_RUNS; i++) {
    const scenario = { ...EXAMPLE_SCENARIO, simulation: { seed: 1_000_000 + Math.floor(Math.random() * 1e9) } };
    const started = performance.now();
    const res = await post('/v1/simulations?wait=10', scenario);
    const ms = performance.now() - started;
    if (res.status !== 200 || res.json.status !== 'completed' || !res.json.result) {
      throw new Error(`fresh run ${i} did not complete within the wait: ${res.status} ${res.json.status}`);
    }
    times.push(ms);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  const worst = times.at(-1)!;
  console.log(
    `fresh 1 GiB scenario, POST ?wait=10 to completed result: median ${median.toFixed(0)} ms, worst ${worst.toFixed(0)} ms over ${FRESH_RUNS} runs — ${verdict(worst < TARGET_FRESH_MS)} (< ${TARGET_FRESH_MS} ms)`,
  );
} finally {
  server.closeAllConnections();
  server.close();
  await pool.close(5000);
  await service.close();
  await deleteKeys(prefix, redis.url).catch((err: unknown) => logger.warn({ err }, 'could not delete the bench keys'));
  await redis.stop();
  // Bounded in time: a connection that outlives the cleanup must not keep the bench alive.
  setTimeout(() => {
    const handles = (process as unknown as { _getActiveHandles(): object[] })._getActiveHandles().map((h) => h.constructor.name);
    console.error(`bench: handles still open 5 s after cleanup (${handles.join(', ')}); exiting`);
    process.exit(process.exitCode ?? 0);
  }, 5000).unref();
}
