// The service as routes see it: every call has a deadline, so a Redis that accepts connections
// but never answers turns into a quick 503 rather than a request that hangs.
import { within } from '../runtime/deadline.js';
import { ServiceUnavailableError } from '../service/errors.js';
import type { PlanningService } from '../service/planning-service.js';
import type { SimulationService } from '../service/simulation-service.js';

const unanswered = (what: string, ms: number) => new ServiceUnavailableError(`simulation service ${what} did not answer within ${ms} ms`);

/** A call bounded by `ms` (default `timeoutMs`), failing with ServiceUnavailableError. */
const boundedBy =
  (timeoutMs: number) =>
  <T>(what: string, call: () => Promise<T>, ms = timeoutMs) =>
    within(call(), ms, () => {
      throw unanswered(what, ms);
    });

export function withDeadlines(service: SimulationService, timeoutMs: number): SimulationService {
  const bounded = boundedBy(timeoutMs);
  return {
    submit: (scenario, options) => bounded('submit', () => service.submit(scenario, options)),
    get: (id) => bounded('get', () => service.get(id)),
    result: (id) => bounded('result', () => service.result(id)),
    cancel: (id) => bounded('cancel', () => service.cancel(id)),
    list: (limit, cursor) => bounded('list', () => service.list(limit, cursor)),
    waitUntilFinished: (id, ms) => bounded('waitUntilFinished', () => service.waitUntilFinished(id, ms), ms + timeoutMs),
    subscribe: async (id, listener) => {
      const subscription = service.subscribe(id, listener);
      try {
        return await bounded('subscribe', () => subscription);
      } catch (err) {
        // A subscription that arrives after the deadline must not keep listening.
        subscription.then((unsubscribe) => unsubscribe()).catch(() => {});
        throw err;
      }
    },
    submitSweep: (sweep) => bounded('submitSweep', () => service.submitSweep(sweep)),
    getSweep: (id) => bounded('getSweep', () => service.getSweep(id)),
    sweepResult: (id) => bounded('sweepResult', () => service.sweepResult(id)),
    cancelSweep: (id) => bounded('cancelSweep', () => service.cancelSweep(id)),
    waitForSweep: (id, ms) => bounded('waitForSweep', () => service.waitForSweep(id, ms), ms + timeoutMs),
    subscribeSweep: async (id, listener) => {
      const subscription = service.subscribeSweep(id, listener);
      try {
        return await bounded('subscribeSweep', () => subscription);
      } catch (err) {
        subscription.then((unsubscribe) => unsubscribe()).catch(() => {});
        throw err;
      }
    },
    ready: () => bounded('ready', () => service.ready()),
    counts: () => bounded('counts', () => service.counts()),
    close: () => service.close(),
  };
}

export function withPlanningDeadlines(service: PlanningService, timeoutMs: number): PlanningService {
  const bounded = boundedBy(timeoutMs);
  return {
    submitPlanning: (kind, request) => bounded('submitPlanning', () => service.submitPlanning(kind, request)),
    getPlanning: (kind, id) => bounded('getPlanning', () => service.getPlanning(kind, id)),
    waitPlanning: (kind, id, ms) => bounded('waitPlanning', () => service.waitPlanning(kind, id, ms), ms + timeoutMs),
    close: () => service.close(),
  };
}
