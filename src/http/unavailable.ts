// "The queue's Redis is not there" (the queue's own test, or a missed deadline) so the API
// answers 503 at once instead of 500, and a deadline on every service call so that no request
// waits on a dependency forever.
import { isRedisUnavailable } from '../queue/errors.js';
import { within } from '../runtime/deadline.js';

/** True for errors that mean the queue's store is down, unreachable or too slow (not a bug, not bad input). */
export function isUnavailableError(err: unknown): boolean {
  return err instanceof DependencyTimeoutError || isRedisUnavailable(err);
}

export class DependencyTimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`${what} did not answer within ${ms} ms`);
    this.name = 'DependencyTimeoutError';
  }
}

/** Settles like `promise`, or rejects with DependencyTimeoutError after `ms`. */
export function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return within(promise, ms, () => {
    throw new DependencyTimeoutError(what, ms);
  });
}
