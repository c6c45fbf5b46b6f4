// What travels through BullMQ: a job carries the id and the parsed scenario, and returns the id
// and the summary. Errors cross the process boundary as plain objects (name, message, code),
// so their meaning rides on BullMQ's error names: 'UnrecoverableError' fails the job without
// further attempts, 'WaitingError' tells the worker the job is no longer its business.
import type { Summary } from '../schemas/result.js';
import type { Scenario } from '../schemas/scenario.js';

export interface SimulationJobData {
  id: string;
  /** Absent for a sweep's point: its scenario is in the simulation's record. */
  scenario?: Scenario;
  /** The scenario's simulation.mode, for metrics, when the scenario is not in the job. */
  mode?: Scenario['simulation']['mode'];
}

export interface SimulationJobResult {
  id: string;
  /**
   * Absent for a sweep's point: BullMQ keeps a child's return value in its parent and in the
   * events stream, and the sweep reads the summaries from the records instead.
   */
  summary?: Summary;
}

/** BullMQ job name of every simulation job. */
export const JOB_NAME = 'simulate';

/** Environment through which the worker pool configures its processor processes. */
export const PROCESSOR_ENV = {
  redisUrl: 'FORKCAST_PROCESSOR_REDIS_URL',
  resultTtlSec: 'FORKCAST_PROCESSOR_RESULT_TTL_SEC',
} as const;

/** Codes a processor ends a job with; engine codes (SCENARIO_TOO_LARGE, …) pass through. */
export type JobErrorCode = 'CANCELLED' | 'RELEASED' | 'INVALID_SCENARIO' | (string & {});

export interface JobError extends Error {
  code: JobErrorCode;
}

export function jobError(code: JobErrorCode, message: string): JobError {
  const err = new Error(message) as JobError;
  // Own properties survive BullMQ's copy of the error out of the processor process.
  err.name = code === 'RELEASED' ? 'WaitingError' : 'UnrecoverableError';
  err.code = code;
  return err;
}

export type JobOutcome =
  | { kind: 'cancelled' }
  | { kind: 'failed'; error: { code: string; message: string } }
  | { kind: 'retry'; error: { code: string; message: string } };

/**
 * What a failed attempt means for the record. `finalAttempt` is true when BullMQ moved the job
 * to failed rather than back to waiting or delayed.
 */
export function classifyFailure(err: { code?: unknown; message?: string } | undefined, finalAttempt: boolean): JobOutcome {
  const code = typeof err?.code === 'string' ? err.code : 'WORKER_ERROR';
  if (code === 'CANCELLED') return { kind: 'cancelled' };
  const error = { code, message: err?.message || 'the simulation failed' };
  return finalAttempt ? { kind: 'failed', error } : { kind: 'retry', error };
}
