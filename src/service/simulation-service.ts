// What the HTTP layer needs from the queue and result store. The BullMQ implementation lives
// in src/queue/; routes only see this interface and the errors of ./errors.ts, which every
// implementation raises: ServiceUnavailableError from any call while its store is away.
import type { SimulationRecord } from '../schemas/api.js';
import type { SimulationResult } from '../schemas/result.js';
import type { Scenario } from '../schemas/scenario.js';
import type { SweepPoint } from '../schemas/sweep-points.js';
import type { AxisValue, SweepRecord, SweepResult } from '../schemas/sweep.js';

/** A simulation as a service reports it: the API's record without its URLs, which only the HTTP layer knows. */
export type SimulationState = Omit<SimulationRecord, 'links'>;

export interface SimulationPage {
  /** Newest first. */
  items: SimulationState[];
  /** Pass back as `cursor` for the next page; null on the last. */
  nextCursor: string | null;
}

/** A client's Idempotency-Key, scoped to the client and bound to its request body. */
export interface Idempotency {
  /** Client-chosen key. */
  key: string;
  /** Who the key belongs to: the same key of two scopes names two records. */
  scope: string;
  /** requestFingerprint of the body: the same key with another fingerprint is refused. */
  fingerprint: string;
}

export interface SubmitOptions {
  /** The same key (in its scope) with the same body returns the same simulation; with another body, IdempotencyKeyReusedError. */
  idempotency?: Idempotency | undefined;
}

export type CancelOutcome =
  | { ok: true; record: SimulationState }
  | { ok: false; reason: 'not-found' }
  | { ok: false; reason: 'finished'; record: SimulationState };

export interface SimulationEvent {
  type: 'progress' | 'status';
  record: SimulationState;
}

/** A sweep as a service reports it: the API's record without its URLs. */
export type SweepState = Omit<SweepRecord, 'links'>;

/** What a sweep runs: its axes (values as applied) and its points in axis order. */
export interface SweepSubmission {
  axes: Array<{ path: string; values: AxisValue[] }>;
  points: SweepPoint[];
}

export type SweepCancelOutcome =
  | { ok: true; record: SweepState; cancelledPoints: number }
  | { ok: false; reason: 'not-found' }
  | { ok: false; reason: 'finished'; record: SweepState };

export interface SweepEvent {
  type: 'progress' | 'status';
  record: SweepState;
}

export interface SimulationService {
  /** Queues the scenario unless the same one (or idempotency key) is known; `created` says which. Rejects with IdempotencyKeyReusedError for a key its scope used with another body. */
  submit(scenario: Scenario, options?: SubmitOptions): Promise<{ record: SimulationState; created: boolean }>;
  get(id: string): Promise<SimulationState | undefined>;
  result(id: string): Promise<SimulationResult | undefined>;
  cancel(id: string): Promise<CancelOutcome>;
  /** Rejects with InvalidCursorError for a cursor it did not hand out. */
  list(limit: number, cursor?: string): Promise<SimulationPage>;
  /** Resolves with the record once it is finished or `timeoutMs` passed, whichever is first. */
  waitUntilFinished(id: string, timeoutMs: number): Promise<SimulationState | undefined>;
  /** Calls `listener` on progress and status changes until the returned function is called. */
  subscribe(id: string, listener: (event: SimulationEvent) => void): Promise<() => void>;
  /**
   * Runs every point of a sweep as a simulation (points already simulated are reused) and
   * aggregates the rows once all have finished. The same axes and points give the same sweep.
   */
  submitSweep(sweep: SweepSubmission): Promise<{ record: SweepState; created: boolean }>;
  getSweep(id: string): Promise<SweepState | undefined>;
  /** The rows, once the sweep has finished (completed or cancelled with some rows). */
  sweepResult(id: string): Promise<SweepResult | undefined>;
  /** Cancels the points that have not started; running ones finish. */
  cancelSweep(id: string): Promise<SweepCancelOutcome>;
  waitForSweep(id: string, timeoutMs: number): Promise<SweepState | undefined>;
  subscribeSweep(id: string, listener: (event: SweepEvent) => void): Promise<() => void>;
  /** Redis answers PING. */
  ready(): Promise<boolean>;
  /** Queue depth by state, for /metrics. */
  counts(): Promise<Record<string, number>>;
  close(): Promise<void>;
}
