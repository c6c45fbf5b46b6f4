// The one test of whether an error means "Redis is not there", and the translation of such
// errors into the service's ServiceUnavailableError, so that Redis knowledge stays in the queue.
// The messages are ioredis 6's (built/utils, built/Redis, built/cluster) and Redis replies that
// mean "not now" (LOADING, MASTERDOWN, ...); bullmq passes ioredis errors through.
import { ServiceUnavailableError } from '../service/errors.js';

const UNAVAILABLE_NAMES = new Set(['MaxRetriesPerRequestError', 'ClusterAllFailedError']);

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'NR_CLOSED',
]);

const UNAVAILABLE_MESSAGES = [
  /^Connection is closed\.?$/,
  /enableOfflineQueue options is false/,
  /^Command timed out$/,
  /^connect (ETIMEDOUT|ECONNREFUSED)\b/,
  /^Socket timeout\./,
  /^Cluster is disconnect(ed|ing)\.?$/,
  /^Node is disconnected$/,
  /^None of startup nodes is available$/,
  /^Reached the max retries per request limit/,
  /^(LOADING|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|READONLY|BUSY|OOM)\b/,
];

/** True when `err` says Redis is unreachable or not serving, as opposed to a bug or a bad reply. */
export function isRedisUnavailable(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 4) return false;
  if (err instanceof ServiceUnavailableError) return true;
  const { name, code, message, cause, errors } = err as {
    name?: unknown;
    code?: unknown;
    message?: unknown;
    cause?: unknown;
    errors?: unknown;
  };
  if (typeof name === 'string' && UNAVAILABLE_NAMES.has(name)) return true;
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
  if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message))) return true;
  if (cause !== undefined && isRedisUnavailable(cause, depth + 1)) return true;
  // ioredis reports a failed connect to several addresses as an AggregateError.
  return Array.isArray(errors) && errors.some((inner) => isRedisUnavailable(inner, depth + 1));
}

/** Rethrows Redis availability failures as ServiceUnavailableError, anything else unchanged. */
export function asServiceError(err: unknown): unknown {
  if (err instanceof ServiceUnavailableError || !isRedisUnavailable(err)) return err;
  return new ServiceUnavailableError(`Redis is unavailable: ${(err as Error).message}`, { cause: err });
}
