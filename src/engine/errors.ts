// Expected failures of the engine, with stable codes that adapters map to HTTP problems.

export type EngineErrorCode = 'SCENARIO_TOO_LARGE' | 'EXACT_TOO_LARGE' | 'CANCELLED';

export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
    /** Scenario field the error is about, as a path. */
    readonly path: Array<string | number> = [],
  ) {
    super(message);
    this.name = 'EngineError';
  }
}
