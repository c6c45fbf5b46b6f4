// Workers only: run simulations from the queue at REDIS_URL. Start as many of these as needed,
// on any machine that reaches the same Redis.
import { pino } from 'pino';
import { createWorkerPool } from './queue/worker-pool.js';
import { NoRedisError } from './runtime/ensure-redis.js';
import { redisAnswers } from './runtime/private-redis.js';
import { exitOnSignals } from './runtime/shutdown.js';
import { loadConfigOrExit, workerPoolOptions } from './runtime/startup.js';

const config = loadConfigOrExit();
const logger = pino({ level: config.logLevel, base: { role: 'worker', pid: process.pid } });

if (!(await redisAnswers(config.redisUrl))) {
  // Workers wait for Redis rather than exit: under docker compose it may still be starting.
  logger.warn(`${new NoRedisError(config.redisUrl, true).message} Waiting for it.`);
}

const pool = createWorkerPool(workerPoolOptions(config, config.redisUrl, logger));
exitOnSignals((deadlineMs) => pool.close(deadlineMs), { timeoutMs: config.shutdownTimeoutMs, logger });
await pool.waitUntilReady();
logger.info({ prefix: config.queuePrefix, concurrency: config.workerConcurrency }, 'worker ready');
