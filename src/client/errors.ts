// What can go wrong talking to a forkcast server, as the client tells it apart: the server
// refused the request (an RFC 9457 problem), the server is not there or cannot serve now, or
// it answered with something this client does not understand.
import type { Problem } from '../schemas/api.js';

/** A 4xx (or unexpected 5xx) answer with its problem+json body. */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem & Record<string, unknown>,
  ) {
    super(problem.detail ?? problem.title);
    this.name = 'ProblemError';
  }
}

/** No answer, or an answer that says "not now": connection refused, DNS, timeout, 429, 502–504. */
export class UnavailableError extends Error {
  constructor(
    message: string,
    /** Seconds the server asked to wait (Retry-After), when it said. */
    readonly retryAfterSec?: number,
  ) {
    super(message);
    this.name = 'UnavailableError';
  }
}

/** A body that does not match the contract, or a status the contract does not have. */
export class UnexpectedResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnexpectedResponseError';
  }
}
