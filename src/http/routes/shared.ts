// Helpers the route modules share: the :id parameter and 405 for known paths.
import type { RequestHandler } from 'express';
import { SimulationIdSchema } from '../../schemas/api.js';
import { methodNotAllowed, simulationNotFound } from '../problem.js';

/** The :id path parameter; an id that cannot exist is simply not found. */
export function idParam(id: string | undefined): string {
  const parsed = SimulationIdSchema.safeParse(id);
  if (!parsed.success) throw simulationNotFound(String(id));
  return parsed.data;
}

/** The last handler of a route: any other method gets 405 with Allow. */
export function allow(...methods: string[]): RequestHandler {
  return (req, _res, next) => next(methodNotAllowed(req.method, methods));
}
