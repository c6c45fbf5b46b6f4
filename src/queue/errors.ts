// Failures of the queue's Redis as one error type: the HTTP layer recognises it by name and
// code and answers 503 instead of 500.

export class ServiceUnavailableError extends Error {
  readonly code = 'SERVICE_UNAVAILABLE';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ServiceUnavailableError';
  }
}

/** Redis replies that mean "not now" rather than "wrong". */
const TRANSIENT_REPLY = /^(LOADING|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|READONLY|BUSY|OOM)\b/;

/** True when `err` says Redis is unreachable or not serving, as opposed to a bug or a bad reply. */
export function isRedisUnavailable(err: unknown): boolean {
  if (err instanceof ServiceUnavailableError) return true;
  if (!(err instanceof Error)) return false;
  if (err.name === 'ReplyError') return TRANSIENT_REPLY.test(err.message);
  return (
    err.name === 'MaxRetriesPerRequestError' ||
    /Connection is closed|enableOfflineQueue|Command timed out|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH/.test(
      err.message,
    )
  );
}

/** Rethrows Redis availability failures as ServiceUnavailableError, anything else unchanged. */
export function asServiceError(err: unknown): unknown {
  if (err instanceof ServiceUnavailableError || !isRedisUnavailable(err)) return err;
  return new ServiceUnavailableError(`Redis is unavailable: ${(err as Error).message}`, { cause: err });
}
