// The API, and unless WORKERS=0 a worker pool in the same process: `npm start`.
import type { Server } from 'node:http';
import { pino } from 'pino';
import { createApp } from './http/app.js';
import { createHttpServer } from './http/server.js';
import { createEngineRunHistogram, createMetricsRegistry } from './http/metrics.js';
import { createBullmqPlanningService } from './queue/bullmq-planning-service.js';
import { createBullmqSimulationService } from './queue/bullmq-simulation-service.js';
import { createWorkerPool, type WorkerPool } from './queue/worker-pool.js';
import { within } from './runtime/deadline.js';
import { ensureRedis, NoRedisError, type RedisChoice } from './runtime/ensure-redis.js';
import { exitOnSignals } from './runtime/shutdown.js';
import { loadConfigOrExit, workerPoolOptions } from './runtime/startup.js';

const config = loadConfigOrExit();
const logger = pino({ level: config.logLevel, base: { role: 'api', pid: process.pid } });

let redis: RedisChoice;
try {
  redis = await ensureRedis({ url: config.redisUrl, explicit: config.redisUrlExplicit }, logger);
} catch (err) {
  if (err instanceof NoRedisError) console.error(err.message);
  else logger.fatal({ err }, 'cannot start without Redis');
  process.exit(1);
}
const redisUrl = redis.url;

const service = createBullmqSimulationService({
  redisUrl,
  prefix: config.queuePrefix,
  resultTtlSec: config.resultTtlSec,
  retention: { count: config.jobRetentionCount, ageSec: config.jobRetentionAgeSec },
  logger,
});

const planning = createBullmqPlanningService({
  redisUrl,
  prefix: config.queuePrefix,
  resultTtlSec: config.resultTtlSec,
  retention: { count: config.jobRetentionCount, ageSec: config.jobRetentionAgeSec },
  logger,
});

const registry = createMetricsRegistry();
let pool: WorkerPool | undefined;
if (config.workers) {
  const engineRuns = createEngineRunHistogram(registry);
  pool = createWorkerPool({
    ...workerPoolOptions(config, redisUrl, logger),
    onRunFinished: ({ mode, outcome, durationSec }) => engineRuns.observe({ mode, outcome }, durationSec),
  });
}

let draining = false;
const app = createApp({ service, planning, config, logger, registry, health: { draining: () => draining } });
const server: Server = createHttpServer(app, config, logger);
server.listen(config.port, config.host, () => {
  logger.info({ url: `http://${config.host}:${config.port}`, redisUrl, workers: pool ? config.workerConcurrency : 0 }, 'forkcast listening');
});
server.on('error', (err) => {
  logger.fatal({ err }, 'HTTP server failed');
  process.exit(1);
});

exitOnSignals(
  async (deadlineMs) => {
    const deadline = Date.now() + deadlineMs;
    const remaining = () => Math.max(0, deadline - Date.now());
    draining = true;
    // No new connections; requests on open keep-alive connections still get answers (and
    // /readyz says 503). Streams such as SSE are cut at half the deadline.
    const httpClosed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const cut = setTimeout(() => server.closeAllConnections(), remaining() / 2);
    await pool?.close(remaining() * 0.8);
    // Keep a moment of the deadline for closing connections and a private Redis.
    await within(httpClosed, Math.max(0, remaining() - 1000), () => undefined);
    clearTimeout(cut);
    server.closeAllConnections();
    await service.close();
    await planning.close();
    await redis.stop();
  },
  { timeoutMs: config.shutdownTimeoutMs, logger },
);
