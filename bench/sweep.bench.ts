// A 1000-point sweep of 64 GiB expected-mode scenarios through the real queue: `npm run
// bench:sweep`. Target: under 20 s from submission to the last row with two worker processes,
// and Redis memory of at most ~1 KiB per point beyond the stored results. Each run uses one,
// then two `src/main-worker.ts` processes (WORKER_CONCURRENCY=1 each, so that the processes are
// what scales) against a private redis-server, whose INFO used_memory is then this sweep's
// alone. BENCH_SWEEP_RUNS (default 3) runs per worker count; BENCH_SWEEP_DATASET (default 64GiB)
// shrinks the scenarios to measure the queue's own cost per point; BENCH_REDIS_PORT picks the
// private server's port.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { createBullmqSimulationService } from '../src/queue/bullmq-simulation-service.js';
import { storeKeys } from '../src/queue/keys.js';
import { startPrivateRedis } from '../src/runtime/private-redis.js';
import { sweepPlan } from '../src/schemas/sweep-points.js';

/** BENCH_SWEEP_POINTS shrinks the sweep for a quick look; the targets are for 1000. */
const POINTS = Math.max(2, Number(process.env.BENCH_SWEEP_POINTS ?? 1000));
const TARGET_SEC = 20;
const TARGET_BYTES_PER_POINT = 1024;
const RUNS = Math.max(1, Number(process.env.BENCH_SWEEP_RUNS ?? 3));
const DATASET = process.env.BENCH_SWEEP_DATASET ?? '64GiB';
const WORKER_COUNTS = [1, 2];
const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

const redisServer = await startPrivateRedis(process.env.BENCH_REDIS_PORT ? { port: Number(process.env.BENCH_REDIS_PORT) } : {});
const redis = new Redis(redisServer.url);

function startWorker(prefix: string): { child: ChildProcess; ready: Promise<void>; exited: Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main-worker.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, REDIS_URL: redisServer.url, QUEUE_PREFIX: prefix, WORKER_CONCURRENCY: '1', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  const ready = new Promise<void>((resolve) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('worker ready')) resolve();
    });
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, ready, exited };
}

async function usedMemory(): Promise<{ used: number; dataset: number }> {
  const info = await redis.info('memory');
  return { used: Number(/^used_memory:(\d+)/m.exec(info)![1]), dataset: Number(/^used_memory_dataset:(\d+)/m.exec(info)![1]) };
}

/** MEMORY USAGE of every key, summed by what the key is. */
async function keyBytes(prefix: string): Promise<Record<'results' | 'records' | 'rows' | 'other', { keys: number; bytes: number }>> {
  const keys = storeKeys(prefix);
  const kind = (key: string) =>
    key.startsWith(keys.result('')) ? 'results' : key.startsWith(keys.record('')) ? 'records' : key.startsWith(keys.sweepResult('')) ? 'rows' : 'other';
  const sums = { results: { keys: 0, bytes: 0 }, records: { keys: 0, bytes: 0 }, rows: { keys: 0, bytes: 0 }, other: { keys: 0, bytes: 0 } };
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    for (const key of batch) {
      const sum = sums[kind(key)];
      sum.keys++;
      sum.bytes += Number(await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
    }
  } while (cursor !== '0');
  return sums;
}

interface Run {
  workers: number;
  wallSec: number;
  planMs: number;
  /** INFO used_memory after minus before. */
  deltaBytes: number;
  /** INFO used_memory_dataset after minus before: without client buffers and Redis's own overhead. */
  datasetDeltaBytes: number;
  keys: Awaited<ReturnType<typeof keyBytes>>;
}

async function run(workers: number, seed: number): Promise<Run> {
  const prefix = `bench-sweep-${randomBytes(4).toString('hex')}`;
  const procs = Array.from({ length: workers }, () => startWorker(prefix));
  await Promise.all(procs.map((p) => p.ready));
  const service = createBullmqSimulationService({ redisUrl: redisServer.url, prefix, resultTtlSec: 3600 });
  try {
    const before = await usedMemory();
    const started = performance.now();
    const plan = sweepPlan(
      { dataset: { usedMemoryBytes: DATASET, valueBytes: 100 }, snapshot: { durationSec: 60 }, simulation: { seed } },
      [{ path: 'workload.writesPerSec', from: 1000, to: 1e6, steps: POINTS, scale: 'log' }],
      Math.max(POINTS, 1000),
    );
    if (!plan.ok) throw new Error(JSON.stringify(plan.issues));
    const planMs = performance.now() - started;
    const { record } = await service.submitSweep({ axes: plan.axes, points: plan.points });
    const done = await service.waitForSweep(record.id, 900_000);
    const wallSec = (performance.now() - started) / 1000;
    if (done?.status !== 'completed' || done.finishedPoints !== POINTS) throw new Error(`sweep ended ${JSON.stringify(done)}`);
    const after = await usedMemory();
    const keys = await keyBytes(prefix);
    if (keys.results.keys !== POINTS) throw new Error(`${keys.results.keys} results stored for ${POINTS} points`);
    return { workers, wallSec, planMs, deltaBytes: after.used - before.used, datasetDeltaBytes: after.dataset - before.dataset, keys };
  } finally {
    for (const p of procs) p.child.kill('SIGTERM');
    await Promise.all(procs.map((p) => p.exited));
    await service.close();
    await redis.flushall();
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

try {
  console.log(`sweep bench: ${POINTS} points of ${DATASET} expected-mode scenarios, ${RUNS} run(s) per worker count, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`);
  const runs: Run[] = [];
  let seed = 1;
  for (const workers of WORKER_COUNTS) {
    for (let i = 0; i < RUNS; i++) {
      const r = await run(workers, seed++);
      runs.push(r);
      const perPoint = (bytes: number) => `${(bytes / POINTS).toFixed(0)} B/point`;
      console.log(
        `  ${workers} worker(s): ${r.wallSec.toFixed(2)} s (${(POINTS / r.wallSec).toFixed(1)} points/s; points built in ${r.planMs.toFixed(0)} ms); ` +
          `used_memory +${perPoint(r.deltaBytes)} (dataset +${perPoint(r.datasetDeltaBytes)}); by key: results ${perPoint(r.keys.results.bytes)}, ` +
          `records ${perPoint(r.keys.records.bytes)}, rows ${perPoint(r.keys.rows.bytes)}, everything else ${perPoint(r.keys.other.bytes)} (${r.keys.other.keys} keys)`,
      );
    }
  }
  const medians = WORKER_COUNTS.map((w) => median(runs.filter((r) => r.workers === w).map((r) => r.wallSec)));
  // Stored results: each point's result and record (it is a simulation like any other) and the sweep's rows.
  const beyond = median(runs.map((r) => r.keys.other.bytes / POINTS));
  const unaccounted = median(runs.map((r) => (r.datasetDeltaBytes - r.keys.results.bytes - r.keys.records.bytes - r.keys.rows.bytes - r.keys.other.bytes) / POINTS));
  console.log(`median: 1 worker ${medians[0]!.toFixed(2)} s, 2 workers ${medians[1]!.toFixed(2)} s, speed-up ${(medians[0]! / medians[1]!).toFixed(2)}×`);
  console.log(`  2 workers under ${TARGET_SEC} s: ${medians[1]! < TARGET_SEC ? 'yes' : 'NO'}`);
  console.log(`  Redis keys beyond the stored results: median ${beyond.toFixed(0)} B/point (target ≤ ${TARGET_BYTES_PER_POINT}): ${beyond <= TARGET_BYTES_PER_POINT ? 'yes' : 'NO'}`);
  console.log(`  used_memory_dataset not in any key's MEMORY USAGE: ${unaccounted.toFixed(0)} B/point`);
} finally {
  redis.disconnect();
  await redisServer.stop();
}
