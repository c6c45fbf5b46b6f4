// Every route module, in mounting order. The OpenAPI document is built from the same list,
// so a route cannot be served without being described.
import type { RouteModule } from '../context.js';
import { calibrationRoutes } from './calibrations.js';
import { docsRoutes } from './docs.js';
import { eventsRoutes } from './events.js';
import { operationsRoutes } from './operations.js';
import { presetsRoutes } from './presets.js';
import { resultRoutes } from './result.js';
import { simulationRoutes } from './simulations.js';

/** Served under the /v1 rate limit. */
export const API_ROUTES: readonly RouteModule[] = [simulationRoutes, resultRoutes, eventsRoutes, presetsRoutes, calibrationRoutes];
/** Probes, metrics and docs: not rate limited. */
export const OPERATION_ROUTES: readonly RouteModule[] = [operationsRoutes, docsRoutes];
