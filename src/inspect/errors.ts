// Expected failures of an inspection, with stable codes the CLI prints and HTTP maps to 422.

export type InspectErrorCode = 'INFO_UNRECOGNISED' | 'NO_KEYS';

export class InspectError extends Error {
  constructor(
    readonly code: InspectErrorCode,
    message: string,
    /** The INFO field (or input) the error is about. */
    readonly field: string,
  ) {
    super(message);
    this.name = 'InspectError';
  }
}
