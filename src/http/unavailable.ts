// Recognising "the queue's Redis is not there" so the API answers 503 at once instead of 500,
// and a deadline on every service call so that no request waits on a dependency forever.
// The messages are ioredis 6's (built/utils, built/Redis, built/cluster) and Redis replies that
// mean "not now" (LOADING, MASTERDOWN, ...); bullmq passes ioredis errors through.

const UNAVAILABLE_NAMES = new Set([
  'ServiceUnavailableError',
  'DependencyTimeoutError',
  'MaxRetriesPerRequestError',
  'ClusterAllFailedError',
]);

const UNAVAILABLE_CODES = new Set([
  'SERVICE_UNAVAILABLE',
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
  /^connect ETIMEDOUT$/,
  /^Socket timeout\./,
  /^Cluster is disconnect(ed|ing)\.?$/,
  /^Node is disconnected$/,
  /^None of startup nodes is available$/,
  /^Reached the max retries per request limit/,
  /^(LOADING|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|READONLY)\b/,
];

/** True for errors that mean the queue's store is down or unreachable (not a bug, not bad input). */
export function isUnavailableError(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 4) return false;
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
  if (cause !== undefined && isUnavailableError(cause, depth + 1)) return true;
  // ioredis reports a failed connect to several addresses as an AggregateError.
  return Array.isArray(errors) && errors.some((inner) => isUnavailableError(inner, depth + 1));
}

export class DependencyTimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`${what} did not answer within ${ms} ms`);
    this.name = 'DependencyTimeoutError';
  }
}

/** Settles like `promise`, or rejects with DependencyTimeoutError after `ms`. */
export function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DependencyTimeoutError(what, ms)), ms);
    timer.unref();
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
