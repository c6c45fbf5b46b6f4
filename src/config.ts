// Process configuration from the environment, validated once at start. A bad value stops the
// process with a message naming the variable, rather than surfacing later as an odd failure.
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { DEFAULT_MAX_SWEEP_POINTS } from './schemas/sweep.js';
import { byteSize } from './schemas/units.js';

const MiB = 1024 * 1024;

/** The request timeout beside the longest `?wait`: time to send a 1 MiB body at ~35 KB/s. */
const REQUEST_TIMEOUT_BASE_MS = 30_000;

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const flag = z
  .enum(['0', '1', 'false', 'true', 'no', 'yes'])
  .transform((raw) => raw === '1' || raw === 'true' || raw === 'yes');

const redisUrl = z.string().refine((raw) => {
  try {
    const { protocol } = new URL(raw);
    return protocol === 'redis:' || protocol === 'rediss:';
  } catch {
    return false;
  }
}, 'expected a redis:// or rediss:// URL');

/**
 * Redis key prefix of the queue and the result store. Redis Cluster users give a hash tag,
 * e.g. `{forkcast}`, so that every key of the service lands in one slot.
 */
const queuePrefix = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_{}.-]+$/, 'letters, digits, _ . - and {} only (no ":")');

const EnvSchema = z.object({
  PORT: int(0, 65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  REDIS_URL: redisUrl.default('redis://127.0.0.1:6379'),
  QUEUE_PREFIX: queuePrefix.default('forkcast'),
  WORKERS: flag.default(true),
  WORKER_CONCURRENCY: int(1, 1024).default(availableParallelism()),
  WORKER_LOCK_DURATION_MS: int(1000, 600_000).default(30_000),
  WORKER_STALLED_INTERVAL_MS: int(500, 600_000).default(30_000),
  RESULT_TTL_SEC: int(60, 366 * 86_400).default(7 * 86_400),
  JOB_RETENTION_COUNT: int(0, 1_000_000).default(1000),
  JOB_RETENTION_AGE_SEC: int(0, 366 * 86_400).default(86_400),
  SHUTDOWN_TIMEOUT_MS: int(0, 600_000).default(10_000),
  BODY_LIMIT_BYTES: byteSize(1024, 64 * MiB).default(MiB),
  MAX_WAIT_SEC: int(0, 600).default(60),
  RATE_LIMIT_PER_MIN: int(1, 10_000_000).default(600),
  MAX_POINTS: int(3, 100_000).default(100_000),
  // Ceiling: a point costs ~75 KB of Redis with its result (README, Sweeps), so 1e5 points are ~7.5 GB.
  MAX_SWEEP_POINTS: int(1, 100_000).default(DEFAULT_MAX_SWEEP_POINTS),
  // A client on a slow link still sends a few KB of headers in well under 10 s.
  HEADERS_TIMEOUT_MS: int(100, 600_000).default(10_000),
  // Unset: 30 s for a 1 MiB body at ~35 KB/s, plus the longest ?wait (computed below).
  REQUEST_TIMEOUT_MS: int(100, 3_600_000).optional(),
  // A few hundred keeps well inside the common 1024 file-descriptor soft limit (ulimit -n),
  // which Redis connections and the worker children also draw on.
  MAX_CONNECTIONS: int(1, 65_535).default(256),
  // More than a few proxies in one chain is unheard of; 16 only bounds a typo.
  TRUST_PROXY: int(0, 16).default(0),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface Config {
  /** HTTP port. @defaultValue 3000 */
  port: number;
  /** HTTP bind address. @defaultValue '0.0.0.0' */
  host: string;
  /** @defaultValue 'redis://127.0.0.1:6379' */
  redisUrl: string;
  /** REDIS_URL was set in the environment (a private redis-server is only started when it was not). */
  redisUrlExplicit: boolean;
  /** Prefix of every Redis key of the queue and the store. @defaultValue 'forkcast' */
  queuePrefix: string;
  /** Run an in-process worker pool beside the API (WORKERS=0 for an API-only process). @defaultValue true */
  workers: boolean;
  /** Simulations run in parallel per process, one child process each. @defaultValue os.availableParallelism() */
  workerConcurrency: number;
  /** How long a worker's claim on a job lasts without renewal, ms. @defaultValue 30000 */
  lockDurationMs: number;
  /** How often workers look for jobs whose worker died, ms. @defaultValue 30000 */
  stalledIntervalMs: number;
  /** Lifetime of stored results and simulation records, seconds. @defaultValue 604800 (7 days) */
  resultTtlSec: number;
  /** Finished BullMQ job entries kept, by count. @defaultValue 1000 */
  jobRetentionCount: number;
  /** Finished BullMQ job entries kept, by age in seconds. @defaultValue 86400 */
  jobRetentionAgeSec: number;
  /** Deadline for a graceful shutdown, ms. @defaultValue 10000 */
  shutdownTimeoutMs: number;
  /** Largest accepted request body, bytes. @defaultValue 1048576 */
  bodyLimitBytes: number;
  /** Longest `?wait=` a client may ask for, seconds. @defaultValue 60 */
  maxWaitSec: number;
  /** Requests per minute per client. @defaultValue 600 */
  rateLimitPerMin: number;
  /** Most series points a client may ask for. @defaultValue 100000 */
  maxPoints: number;
  /** Most points of one sweep (the product of its axes' lengths). @defaultValue 1000 */
  maxSweepPoints: number;
  /** Longest time to receive a request's headers, ms. @defaultValue 10000 */
  headersTimeoutMs: number;
  /** Longest time to receive a whole request, ms. @defaultValue 30000 + 1000 × maxWaitSec */
  requestTimeoutMs: number;
  /** Open HTTP connections at most. @defaultValue 256 */
  maxConnections: number;
  /**
   * Proxies in front of the API whose `X-Forwarded-*` headers are believed (express's
   * `trust proxy` hop count); 0 believes none, so `X-Forwarded-Proto: https` is then ignored.
   * @defaultValue 0
   */
  trustProxyHops: number;
  /** pino level. @defaultValue 'info' */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

export class ConfigError extends Error {
  constructor(readonly issues: Array<{ variable: string; message: string }>) {
    super(`invalid environment: ${issues.map((i) => `${i.variable}: ${i.message}`).join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Reads the configuration from `env`; throws ConfigError naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable counts as unset, as in `REDIS_URL= npm start`.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => ({ variable: String(issue.path[0] ?? '?'), message: issue.message })),
    );
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    redisUrl: e.REDIS_URL,
    redisUrlExplicit: present.REDIS_URL !== undefined,
    queuePrefix: e.QUEUE_PREFIX,
    workers: e.WORKERS,
    workerConcurrency: e.WORKER_CONCURRENCY,
    lockDurationMs: e.WORKER_LOCK_DURATION_MS,
    stalledIntervalMs: e.WORKER_STALLED_INTERVAL_MS,
    resultTtlSec: e.RESULT_TTL_SEC,
    jobRetentionCount: e.JOB_RETENTION_COUNT,
    jobRetentionAgeSec: e.JOB_RETENTION_AGE_SEC,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    maxWaitSec: e.MAX_WAIT_SEC,
    rateLimitPerMin: e.RATE_LIMIT_PER_MIN,
    maxPoints: e.MAX_POINTS,
    maxSweepPoints: e.MAX_SWEEP_POINTS,
    headersTimeoutMs: e.HEADERS_TIMEOUT_MS,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS ?? REQUEST_TIMEOUT_BASE_MS + e.MAX_WAIT_SEC * 1000,
    maxConnections: e.MAX_CONNECTIONS,
    trustProxyHops: e.TRUST_PROXY,
    logLevel: e.LOG_LEVEL,
  };
}
