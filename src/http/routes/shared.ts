// What the operations on one simulation share: an id that cannot exist is simply not found.
import { simulationNotFound } from '../problem.js';

export const notFoundById = (params: { id?: string }) => simulationNotFound(String(params.id));
