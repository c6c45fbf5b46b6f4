// The paths of a simulation's resources, and the one place a record gets its `links`: services
// and stores keep none, so the URLs always follow the routes, whatever an older store holds.
import type { SimulationRecord } from '../schemas/api.js';
import type { SweepRecord } from '../schemas/sweep.js';
import type { SimulationState, SweepState } from '../service/simulation-service.js';

export const SIMULATIONS_PATH = '/v1/simulations';
/** OpenAPI path templates; the express routes are derived from them. */
export const SIMULATION_PATH = `${SIMULATIONS_PATH}/{id}`;
export const RESULT_PATH = `${SIMULATION_PATH}/result`;
export const EVENTS_PATH = `${SIMULATION_PATH}/events`;

const withId = (template: string, id: string) => template.replace('{id}', id);

export const simulationPath = (id: string) => withId(SIMULATION_PATH, id);

export function simulationLinks(id: string): SimulationRecord['links'] {
  return { self: simulationPath(id), result: withId(RESULT_PATH, id), events: withId(EVENTS_PATH, id) };
}

/** The record as the API shows it. Links a stored record may still carry are replaced. */
export function simulationRecord(state: SimulationState): SimulationRecord {
  const { id, status, progress, createdAt, finishedAt, ...rest } = state;
  const { links: _stored, ...details } = rest as typeof rest & { links?: unknown };
  // `links` right after finishedAt, where clients have always found it.
  return { id, status, progress, createdAt, finishedAt, links: simulationLinks(id), ...details };
}

export const SWEEPS_PATH = '/v1/sweeps';
export const SWEEP_PATH = `${SWEEPS_PATH}/{id}`;
export const SWEEP_RESULT_PATH = `${SWEEP_PATH}/result`;
export const SWEEP_EVENTS_PATH = `${SWEEP_PATH}/events`;
export const COMPARISONS_PATH = '/v1/comparisons';

export const sweepPath = (id: string) => withId(SWEEP_PATH, id);

export function sweepRecord(state: SweepState): SweepRecord {
  const { id, status, progress, ...rest } = state;
  return { id, status, progress, ...rest, links: { self: sweepPath(id), result: withId(SWEEP_RESULT_PATH, id), events: withId(SWEEP_EVENTS_PATH, id) } };
}
