// Failures every SimulationService implementation reports in the same terms, whatever stands
// behind it. The HTTP layer maps them to statuses by class, so it needs to know nothing of the
// store: the queue translates its Redis errors into these, the in-memory service raises them.

/** The service's store is down, unreachable or too slow: not a bug, not bad input; retry later. */
export class ServiceUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ServiceUnavailableError';
  }
}

/** `list` was given a cursor that it did not hand out as `nextCursor`. */
export class InvalidCursorError extends Error {
  constructor() {
    super('cursor is not one returned as nextCursor');
    this.name = 'InvalidCursorError';
  }
}

/** An Idempotency-Key its client already used with a different request body. */
export class IdempotencyKeyReusedError extends Error {
  constructor() {
    super('the Idempotency-Key was already used with a different request body');
    this.name = 'IdempotencyKeyReusedError';
  }
}
