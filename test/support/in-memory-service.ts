// A SimulationService without Redis, for HTTP contract tests: it stands in for the queue and
// the worker, running simulate() in this process. Ids come from the same job-id functions as
// the BullMQ service, so the HTTP layer sees the same ids for the same scenarios.
import { EventEmitter } from 'node:events';
import { EngineError } from '../../src/engine/errors.js';
import { forecast } from '../../src/advice/forecast.js';
import { idempotencyId, simulationId, sweepId } from '../../src/service/job-id.js';
import type { SweepResult, SweepRow } from '../../src/schemas/sweep.js';
import { isFinishedStatus } from '../../src/schemas/api.js';
import type { SimulationResult } from '../../src/schemas/result.js';
import type { Scenario } from '../../src/schemas/scenario.js';
import { IdempotencyKeyReusedError, InvalidCursorError, ServiceUnavailableError } from '../../src/service/errors.js';
import type {
  CancelOutcome,
  SimulationEvent,
  SimulationPage,
  SimulationService,
  SimulationState,
  SubmitOptions,
  SweepCancelOutcome,
  SweepEvent,
  SweepState,
  SweepSubmission,
} from '../../src/service/simulation-service.js';

interface SweepEntry {
  submission: SweepSubmission;
  pointIds: string[];
  reusedPoints: number;
  createdAt: string;
  cancelled: boolean;
}

interface Entry {
  record: SimulationState;
  scenario: Scenario;
  result?: SimulationResult;
  cancelRequested: boolean;
  /** The body fingerprint an Idempotency-Key's record is bound to. */
  fingerprint?: string | undefined;
}

export interface InMemoryServiceOptions {
  /** Run each submission on the next turn of the event loop; false leaves them queued until run(). @defaultValue true */
  autoRun?: boolean;
}


export class InMemorySimulationService implements SimulationService {
  readonly #entries = new Map<string, Entry>();
  readonly #events = new EventEmitter().setMaxListeners(0);
  readonly #sweeps = new Map<string, SweepEntry>();
  readonly #autoRun: boolean;
  #clock = Date.parse('2026-01-01T00:00:00.000Z');
  isReady = true;
  /** False stands for a store that is away: calls reject with ServiceUnavailableError, as the BullMQ service's do. */
  available = true;
  submissions = 0;

  constructor(options: InMemoryServiceOptions = {}) {
    this.#autoRun = options.autoRun ?? true;
  }

  async submit(scenario: Scenario, options: SubmitOptions = {}) {
    this.#reachable();
    this.submissions++;
    const { idempotency } = options;
    const id = idempotency ? idempotencyId(idempotency.scope, idempotency.key) : simulationId(scenario);
    const known = this.#entries.get(id);
    if (known && idempotency && known.fingerprint !== idempotency.fingerprint) throw new IdempotencyKeyReusedError();
    if (known) return { record: known.record, created: false };
    const record: SimulationState = { id, status: 'queued', progress: 0, createdAt: this.#now(), finishedAt: null };
    this.#entries.set(id, { record, scenario, cancelRequested: false, fingerprint: idempotency?.fingerprint });
    if (this.#autoRun) setImmediate(() => this.run(id));
    return { record, created: true };
  }

  /** Moves a queued simulation to running without finishing it. */
  start(id: string): void {
    this.#update(id, { status: 'running' }, 'status');
  }

  /** Runs a queued (or started) simulation to its end, synchronously. */
  run(id: string): void {
    const entry = this.#entries.get(id);
    if (!entry || isFinishedStatus(entry.record.status)) return;
    if (entry.record.status === 'queued') this.start(id);
    let lastReported = 0;
    try {
      const result = forecast(entry.scenario, {
        onProgress: (fraction) => {
          if (fraction - lastReported < 0.25 && fraction < 1) return;
          lastReported = fraction;
          this.#update(id, { progress: fraction }, 'progress');
        },
        shouldCancel: () => entry.cancelRequested,
      });
      entry.result = result;
      this.#update(id, { status: 'completed', progress: 1, finishedAt: this.#now(), summary: result.summary }, 'status');
    } catch (err) {
      if (err instanceof EngineError && err.code === 'CANCELLED') {
        this.#update(id, { status: 'cancelled', finishedAt: this.#now() }, 'status');
      } else {
        const error = err instanceof EngineError ? { code: err.code, message: err.message } : { code: 'ENGINE_FAILED', message: String(err) };
        this.#update(id, { status: 'failed', finishedAt: this.#now(), error }, 'status');
      }
    }
  }

  async get(id: string) {
    this.#reachable();
    return this.#entries.get(id)?.record;
  }

  async result(id: string) {
    this.#reachable();
    return this.#entries.get(id)?.result;
  }

  /** Forgets a stored result, as the result TTL would. */
  expireResult(id: string): void {
    const entry = this.#entries.get(id);
    if (entry) delete entry.result;
  }

  async cancel(id: string): Promise<CancelOutcome> {
    this.#reachable();
    const entry = this.#entries.get(id);
    if (!entry) return { ok: false, reason: 'not-found' };
    if (isFinishedStatus(entry.record.status)) return { ok: false, reason: 'finished', record: entry.record };
    if (entry.record.status === 'queued') {
      return { ok: true, record: this.#update(id, { status: 'cancelled', finishedAt: this.#now() }, 'status') };
    }
    entry.cancelRequested = true;
    return { ok: true, record: entry.record };
  }

  async list(limit: number, cursor?: string): Promise<SimulationPage> {
    this.#reachable();
    const newestFirst = [...this.#entries.values()].map((e) => e.record).reverse();
    const after = cursor === undefined ? -1 : newestFirst.findIndex((r) => r.id === cursor);
    if (cursor !== undefined && after === -1) throw new InvalidCursorError();
    const start = after + 1;
    const items = newestFirst.slice(start, start + limit);
    const more = start + limit < newestFirst.length;
    return { items, nextCursor: more ? items[items.length - 1]!.id : null };
  }

  async waitUntilFinished(id: string, timeoutMs: number) {
    this.#reachable();
    const entry = this.#entries.get(id);
    if (!entry || isFinishedStatus(entry.record.status)) return entry?.record;
    return new Promise<SimulationState>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#events.off(id, onEvent);
        resolve(this.#entries.get(id)!.record);
      };
      const onEvent = (event: SimulationEvent) => {
        if (isFinishedStatus(event.record.status)) done();
      };
      const timer = setTimeout(done, timeoutMs);
      this.#events.on(id, onEvent);
    });
  }

  async subscribe(id: string, listener: (event: SimulationEvent) => void) {
    this.#reachable();
    this.#events.on(id, listener);
    return () => {
      this.#events.off(id, listener);
    };
  }

  listenerCount(id: string): number {
    return this.#events.listenerCount(id);
  }

  // Sweeps: each point is a submission; the sweep's state is read off its points' records.
  async submitSweep(submission: SweepSubmission) {
    this.#reachable();
    const pointIds = submission.points.map((point) => simulationId(point.scenario));
    const id = sweepId(submission.axes, pointIds);
    const known = this.#sweeps.get(id);
    if (known && !known.cancelled) return { record: this.#sweepState(id, known), created: false };
    const reusedPoints = pointIds.filter((pointId) => this.#entries.get(pointId)?.record.status === 'completed').length;
    const entry: SweepEntry = { submission, pointIds, reusedPoints, createdAt: this.#now(), cancelled: false };
    this.#sweeps.set(id, entry);
    for (const point of submission.points) {
      const { record } = await this.submit(point.scenario);
      this.#events.on(record.id, () => this.#sweepChanged(id));
    }
    return { record: this.#sweepState(id, entry), created: true };
  }

  async getSweep(id: string) {
    this.#reachable();
    const entry = this.#sweeps.get(id);
    return entry && this.#sweepState(id, entry);
  }

  async sweepResult(id: string): Promise<SweepResult | undefined> {
    this.#reachable();
    const entry = this.#sweeps.get(id);
    if (!entry || !isFinishedStatus(this.#sweepState(id, entry).status)) return undefined;
    const rows: SweepRow[] = entry.submission.points.map((point, i) => {
      const record = this.#entries.get(entry.pointIds[i]!)!.record;
      return { values: point.values, simulationId: record.id, status: record.status, summary: record.summary ?? null, ...(record.error ? { error: record.error } : {}) };
    });
    return { rows };
  }

  async cancelSweep(id: string): Promise<SweepCancelOutcome> {
    this.#reachable();
    const entry = this.#sweeps.get(id);
    if (!entry) return { ok: false, reason: 'not-found' };
    const before = this.#sweepState(id, entry);
    if (isFinishedStatus(before.status)) return { ok: false, reason: 'finished', record: before };
    entry.cancelled = true;
    let cancelledPoints = 0;
    for (const pointId of new Set(entry.pointIds)) {
      if (this.#entries.get(pointId)?.record.status === 'queued') {
        await this.cancel(pointId);
        cancelledPoints++;
      }
    }
    return { ok: true, record: this.#sweepState(id, entry), cancelledPoints };
  }

  async waitForSweep(id: string, timeoutMs: number) {
    this.#reachable();
    const entry = this.#sweeps.get(id);
    if (!entry) return undefined;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const state = this.#sweepState(id, entry);
      if (isFinishedStatus(state.status) || Date.now() >= deadline) return state;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  async subscribeSweep(id: string, listener: (event: SweepEvent) => void) {
    this.#reachable();
    const channel = `sweep:${id}`;
    this.#events.on(channel, listener);
    return () => {
      this.#events.off(channel, listener);
    };
  }

  #sweepChanged(id: string): void {
    const entry = this.#sweeps.get(id);
    if (!entry) return;
    const record = this.#sweepState(id, entry);
    this.#events.emit(`sweep:${id}`, { type: isFinishedStatus(record.status) ? 'status' : 'progress', record });
  }

  #sweepState(id: string, entry: SweepEntry): SweepState {
    const statuses = entry.pointIds.map((pointId) => this.#entries.get(pointId)?.record.status ?? 'cancelled');
    const finishedPoints = statuses.filter(isFinishedStatus).length;
    const done = finishedPoints === statuses.length;
    const status = done ? (statuses.includes('cancelled') ? 'cancelled' : 'completed') : finishedPoints > 0 ? 'running' : 'queued';
    return {
      id,
      status,
      progress: statuses.length === 0 ? 1 : finishedPoints / statuses.length,
      points: statuses.length,
      finishedPoints,
      reusedPoints: entry.reusedPoints,
      axes: entry.submission.axes,
      createdAt: entry.createdAt,
      finishedAt: done ? entry.createdAt : null,
    };
  }

  async ready() {
    return this.isReady && this.available;
  }

  async counts() {
    this.#reachable();
    const counts: Record<string, number> = { waiting: 0, active: 0, completed: 0, failed: 0 };
    const state = { queued: 'waiting', running: 'active', completed: 'completed', failed: 'failed', cancelled: 'failed' } as const;
    for (const { record } of this.#entries.values()) counts[state[record.status]]!++;
    return counts;
  }

  async close() {
    this.#events.removeAllListeners();
  }

  #reachable(): void {
    if (!this.available) throw new ServiceUnavailableError('the in-memory store is switched off');
  }

  #now(): string {
    this.#clock += 10;
    return new Date(this.#clock).toISOString();
  }

  #update(id: string, change: Partial<SimulationState>, type: SimulationEvent['type']): SimulationState {
    const entry = this.#entries.get(id)!;
    entry.record = { ...entry.record, ...change };
    this.#events.emit(id, { type, record: entry.record });
    return entry.record;
  }
}
