// What the HTTP layer needs for plans and host plans: jobs like simulations (a content-hash
// id, queued once, a record with status and progress), whose result is the planning core's
// answer. The BullMQ implementation lives in src/queue/; calls raise the errors of ./errors.ts.
import type { SimulationStatus } from '../schemas/api.js';
import type { HostRequest, HostResult, PlanRequest, PlanResult } from '../schemas/planning.js';

export type PlanningKind = 'plan' | 'host';

export interface PlanningRequests {
  plan: PlanRequest;
  host: HostRequest;
}

export interface PlanningResults {
  plan: PlanResult;
  host: HostResult;
}

export interface PlanningState<K extends PlanningKind = PlanningKind> {
  id: string;
  status: SimulationStatus;
  progress: number;
  createdAt: string;
  finishedAt: string | null;
  error?: { code: string; message: string };
  /** Present once completed. */
  result?: PlanningResults[K];
}

export interface PlanningService {
  /** Queues the request unless the same one is known; `created` says which. */
  submitPlanning<K extends PlanningKind>(kind: K, request: PlanningRequests[K]): Promise<{ state: PlanningState<K>; created: boolean }>;
  getPlanning<K extends PlanningKind>(kind: K, id: string): Promise<PlanningState<K> | undefined>;
  /** Resolves with the state once it is finished or `timeoutMs` passed, whichever is first. */
  waitPlanning<K extends PlanningKind>(kind: K, id: string, timeoutMs: number): Promise<PlanningState<K> | undefined>;
  close(): Promise<void>;
}
