// What the HTTP layer needs from the queue and result store. The BullMQ implementation lives
// in src/queue/; routes only see this interface and the errors of ./errors.ts, which every
// implementation raises: ServiceUnavailableError from any call while its store is away.
import type { SimulationRecord } from '../schemas/api.js';
import type { SimulationResult } from '../schemas/result.js';
import type { Scenario } from '../schemas/scenario.js';

/** A simulation as a service reports it: the API's record without its URLs, which only the HTTP layer knows. */
export type SimulationState = Omit<SimulationRecord, 'links'>;

export interface SimulationPage {
  /** Newest first. */
  items: SimulationState[];
  /** Pass back as `cursor` for the next page; null on the last. */
  nextCursor: string | null;
}

export interface SubmitOptions {
  /** Client-chosen key: the same key returns the same simulation. */
  idempotencyKey?: string | undefined;
}

export type CancelOutcome =
  | { ok: true; record: SimulationState }
  | { ok: false; reason: 'not-found' }
  | { ok: false; reason: 'finished'; record: SimulationState };

export interface SimulationEvent {
  type: 'progress' | 'status';
  record: SimulationState;
}

export interface SimulationService {
  /** Queues the scenario unless the same one (or idempotency key) is known; `created` says which. */
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
  /** Redis answers PING. */
  ready(): Promise<boolean>;
  /** Queue depth by state, for /metrics. */
  counts(): Promise<Record<string, number>>;
  close(): Promise<void>;
}
