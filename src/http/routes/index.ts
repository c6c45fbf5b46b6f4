// Every operation of the server, in mounting order. The OpenAPI document is built from the
// same lists, so an operation cannot be served without being described.
import type { OperationGroup } from '../operation.js';
import { calibrationOperations } from './calibrations.js';
import { docsOperations } from './docs.js';
import { eventsOperations } from './events.js';
import { operatorOperations } from './operations.js';
import { planningOperations } from './plans.js';
import { presetsOperations } from './presets.js';
import { resultOperations } from './result.js';
import { scenarioOperations } from './scenarios.js';
import { simulationOperations } from './simulations.js';
import { sweepOperations } from './sweeps.js';
import { comparisonOperations } from './comparisons.js';

/** Served under the /v1 rate limit. */
export const API_ROUTES: readonly OperationGroup[] = [simulationOperations, resultOperations, eventsOperations, presetsOperations, calibrationOperations, scenarioOperations, sweepOperations, comparisonOperations, planningOperations];
/** Probes, metrics and docs: not rate limited. */
export const OPERATION_ROUTES: readonly OperationGroup[] = [operatorOperations, docsOperations];
