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

const POINTS = 1000;
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

async function usedMemory(): Promise<number> {
  const info = await redis.info('memory');
  return Number(/^used_memory:(\d+)/m.exec(info)![1]);
}

/** MEMORY USAGE of every key matching `pattern`, summed. */
async function keyBytes(pattern: string): Promise<{ keys: number; bytes: number }> {
  let cursor = '0';
  let keys = 0;
  let bytes = 0;
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    for (const key of batch) {
      keys++;
      bytes += Number(await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
    }
  } while (cursor !== '0');
  return { keys, bytes };
}

interface Run {
  workers: number;
  wallSec: number;
  planMs: number;
  deltaBytes: number;
  resultBytes: number;
  recordBytes: number;
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
      POINTS,
    );
    if (!plan.ok) throw new Error(JSON.stringify(plan.issues));
    const planMs = performance.now() - started;
    const { record } = await service.submitSweep({ axes: plan.axes, points: plan.points });
    const done = await service.waitForSweep(record.id, 900_000);
    const wallSec = (performance.now() - started) / 1000;
    if (done?.status !== 'completed' || done.finishedPoints !== POINTS) throw new Error(`sweep ended ${JSON.stringify(done)}`);
    const after = await usedMemory();
    const keys = storeKeys(prefix);
    const results = await keyBytes(keys.result('*'));
    const records = await keyBytes(keys.record('sim-*'));
    if (results.keys !== POINTS) throw new Error(`${results.keys} results stored for ${POINTS} points`);
    return { workers, wallSec, planMs, deltaBytes: after - before, resultBytes: results.bytes, recordBytes: records.bytes };
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
      const beyond = (r.deltaBytes - r.resultBytes) / POINTS;
      const beyondRecords = (r.deltaBytes - r.resultBytes - r.recordBytes) / POINTS;
      console.log(
        `  ${workers} worker(s): ${r.wallSec.toFixed(2)} s (${(POINTS / r.wallSec).toFixed(0)} points/s; points built in ${r.planMs.toFixed(0)} ms); ` +
          `Redis +${(r.deltaBytes / 2 ** 20).toFixed(1)} MiB, results ${(r.resultBytes / 2 ** 20).toFixed(1)} MiB, records ${(r.recordBytes / 2 ** 20).toFixed(2)} MiB; ` +
          `beyond results ${beyond.toFixed(0)} B/point, beyond results and records ${beyondRecords.toFixed(0)} B/point`,
      );
    }
  }
  const medians = WORKER_COUNTS.map((w) => median(runs.filter((r) => r.workers === w).map((r) => r.wallSec)));
  const beyond = median(runs.map((r) => (r.deltaBytes - r.resultBytes) / POINTS));
  console.log(`median: 1 worker ${medians[0]!.toFixed(2)} s, 2 workers ${medians[1]!.toFixed(2)} s, speed-up ${(medians[0]! / medians[1]!).toFixed(2)}×`);
  console.log(`  2 workers under ${TARGET_SEC} s: ${medians[1]! < TARGET_SEC ? 'yes' : 'NO'}`);
  console.log(`  Redis beyond the stored results: median ${beyond.toFixed(0)} B/point (target ≤ ${TARGET_BYTES_PER_POINT}): ${beyond <= TARGET_BYTES_PER_POINT ? 'yes' : 'NO'}`);
} finally {
  redis.disconnect();
  await redisServer.stop();
}
