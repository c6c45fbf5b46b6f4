// What the operations on one simulation share: an id that cannot exist is simply not found, and
// what is read off a result exists once the simulation has completed.
import type { ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { StateConflictProblemSchema } from '../../schemas/http.js';
import type { SimulationResult } from '../../schemas/result.js';
import type { SimulationService } from '../../service/simulation-service.js';
import type { HttpTuning } from '../context.js';
import { notFoundResponse, problemResponse, RETRY_AFTER_HEADER_DOC } from '../openapi-parts.js';
import { HttpProblem, simulationNotFound, stateConflict } from '../problem.js';

export const notFoundById = (params: { id?: string }) => simulationNotFound(String(params.id));

/** The result of a completed simulation; 404, 409 (with Retry-After while pending) or 410 otherwise. */
export async function completedResult(service: SimulationService, tuning: HttpTuning, id: string): Promise<SimulationResult> {
  const record = await service.get(id);
  if (!record) throw simulationNotFound(id);
  if (record.status !== 'completed') {
    const pending = record.status === 'queued' || record.status === 'running';
    throw stateConflict(
      'SIMULATION_NOT_COMPLETED',
      `Simulation ${id} is ${record.status}; the result exists once it has completed.`,
      record.status,
      pending ? { 'Retry-After': String(tuning.retryAfterSec) } : {},
    );
  }
  const result = await service.result(id);
  if (!result) {
    throw new HttpProblem({ status: 410, code: 'RESULT_EXPIRED', detail: `The result of ${id} has expired; submit the scenario again.` });
  }
  return result;
}

/** The OpenAPI answers of completedResult's refusals. */
export function completedResultResponses(exampleId: string, instance: string): Record<number, ResponseConfig> {
  return {
    404: notFoundResponse(),
    409: problemResponse(
      stateConflict('SIMULATION_NOT_COMPLETED', `Simulation ${exampleId} is running; the result exists once it has completed.`, 'running'),
      instance,
      { schema: StateConflictProblemSchema, headers: { 'Retry-After': RETRY_AFTER_HEADER_DOC }, description: 'Not completed (yet): `simulationStatus` says where it is.' },
    ),
    410: problemResponse(
      new HttpProblem({ status: 410, code: 'RESULT_EXPIRED', detail: `The result of ${exampleId} has expired; submit the scenario again.` }),
      instance,
    ),
  };
}
