import { describe, expect, it } from 'vitest';
import type { SimulationState } from '../service/simulation-service.js';
import { simulationLinks, simulationRecord } from './links.js';

const state: SimulationState = {
  id: 'sim-0123456789abcdef',
  status: 'failed',
  progress: 0.5,
  createdAt: '2026-01-01T00:00:00.000Z',
  finishedAt: '2026-01-01T00:00:01.000Z',
  error: { code: 'X', message: 'boom' },
};

describe('simulationRecord', () => {
  it('adds the links of the routes, right after finishedAt', () => {
    const record = simulationRecord(state);
    expect(record.links).toEqual({
      self: '/v1/simulations/sim-0123456789abcdef',
      result: '/v1/simulations/sim-0123456789abcdef/result',
      events: '/v1/simulations/sim-0123456789abcdef/events',
    });
    expect(Object.keys(record)).toEqual(['id', 'status', 'progress', 'createdAt', 'finishedAt', 'links', 'error']);
    expect(JSON.stringify(record)).toBe(
      '{"id":"sim-0123456789abcdef","status":"failed","progress":0.5,"createdAt":"2026-01-01T00:00:00.000Z",' +
        '"finishedAt":"2026-01-01T00:00:01.000Z","links":{"self":"/v1/simulations/sim-0123456789abcdef",' +
        '"result":"/v1/simulations/sim-0123456789abcdef/result","events":"/v1/simulations/sim-0123456789abcdef/events"},' +
        '"error":{"code":"X","message":"boom"}}',
    );
  });

  it('replaces links a stored record still carries', () => {
    const stale = { ...state, links: { self: '/v0/sims/x', result: '/v0/sims/x/r', events: '/v0/sims/x/e' } };
    expect(simulationRecord(stale)).toEqual(simulationRecord(state));
    expect(simulationRecord(stale).links).toEqual(simulationLinks(state.id));
  });
});
