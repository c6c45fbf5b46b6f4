// What both entry points do first: read the configuration (or exit naming the bad variable),
// and turn it into worker pool options.
import type { Logger } from 'pino';
import { ConfigError, loadConfig, type Config } from '../config.js';
import type { WorkerPoolOptions } from '../queue/worker-pool.js';

export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    console.error(err instanceof ConfigError ? err.message : err);
    process.exit(1);
  }
}

export function workerPoolOptions(config: Config, redisUrl: string, logger: Logger): WorkerPoolOptions {
  return {
    redisUrl,
    prefix: config.queuePrefix,
    concurrency: config.workerConcurrency,
    resultTtlSec: config.resultTtlSec,
    lockDurationMs: config.lockDurationMs,
    stalledIntervalMs: config.stalledIntervalMs,
    logger,
  };
}
