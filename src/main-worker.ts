// Workers only: run simulations from the queue at REDIS_URL. Start as many of these as needed,
// on any machine that reaches the same Redis.
import { pino } from 'pino';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createWorkerPool } from './queue/worker-pool.js';
import { NoRedisError } from './runtime/ensure-redis.js';
import { redisAnswers } from './runtime/private-redis.js';
import { exitOnSignals } from './runtime/shutdown.js';

let config: Config;
try {
  config = loadConfig();
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
}
const logger = pino({ level: config.logLevel, base: { role: 'worker', pid: process.pid } });

if (!(await redisAnswers(config.redisUrl))) {
  // Workers wait for Redis rather than exit: under docker compose it may still be starting.
  logger.warn(`${new NoRedisError(config.redisUrl, true).message} Waiting for it.`);
}

const pool = createWorkerPool({
  redisUrl: config.redisUrl,
  prefix: config.queuePrefix,
  concurrency: config.workerConcurrency,
  resultTtlSec: config.resultTtlSec,
  lockDurationMs: config.lockDurationMs,
  stalledIntervalMs: config.stalledIntervalMs,
  logger,
});
exitOnSignals((deadlineMs) => pool.close(deadlineMs), { timeoutMs: config.shutdownTimeoutMs, logger });
await pool.waitUntilReady();
logger.info({ prefix: config.queuePrefix, concurrency: config.workerConcurrency }, 'worker ready');
