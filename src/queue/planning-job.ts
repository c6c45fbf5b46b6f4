// Plans and host plans travel through the simulations' queue as jobs of their own names, so
// every worker that runs simulations runs them too; their records and results sit in a store
// of their own under `${prefix}:planning`, apart from the simulations' list.
import type { PlanningKind, PlanningRequests } from '../service/planning-service.js';

export const PLANNING_JOB_NAMES: Record<PlanningKind, string> = { plan: 'plan', host: 'host' };

export interface PlanningJobData<K extends PlanningKind = PlanningKind> {
  id: string;
  kind: K;
  request: PlanningRequests[K];
}

/** What BullMQ keeps of a finished planning job: the id and the record's summary. */
export interface PlanningJobResult {
  id: string;
  summary: object;
}

export const isPlanningJob = (name: string): boolean => Object.values(PLANNING_JOB_NAMES).includes(name);

/** The store prefix of planning records, under the service's prefix (same Cluster slot with a hash tag). */
export const planningPrefix = (prefix: string) => `${prefix}:planning`;
