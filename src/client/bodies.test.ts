import { describe, expect, it } from 'vitest';
import { bodyIssues } from './bodies.js';

const scenario = { dataset: { usedMemoryBytes: '1GiB', valueBytes: 100 } };

describe('bodies checked before they are sent', () => {
  it('passes the bodies the API takes', () => {
    expect(bodyIssues('simulation', scenario)).toEqual([]);
    expect(bodyIssues('sweep', { base: scenario, axes: [{ path: 'workload.writesPerSec', from: 1000, to: 1e5, steps: 20, scale: 'log' }] })).toEqual([]);
    expect(bodyIssues('plan', { base: scenario, question: 'max-write-rate', host: { memoryBytes: '4GiB' } })).toEqual([]);
    expect(bodyIssues('host', { memoryBytes: '8GiB', horizonSec: 60, instances: [{ name: 'a', scenario }] })).toEqual([]);
    expect(bodyIssues('comparison', { scenarios: [scenario, scenario] })).toEqual([]);
  });

  it('names each bad field with its full path', () => {
    expect(bodyIssues('simulation', { dataset: { keys: 0, valueBytes: 100 } })).toEqual([{ path: 'dataset.keys', message: expect.stringMatching(/>=1/) }]);
    expect(bodyIssues('sweep', { base: { ...scenario, workload: { writesPerSec: -1 } }, axes: [{ path: 'workload.writesPerSec', values: [1] }] }).map((i) => i.path)).toEqual([
      'base.workload.writesPerSec',
    ]);
    expect(bodyIssues('sweep', { base: scenario, axes: [] }).map((i) => i.path)).toEqual(['axes']);
    expect(bodyIssues('plan', { base: scenario, question: 'max-happiness', host: { memoryBytes: '4GiB' } }).map((i) => i.path)).toEqual(['question']);
    expect(bodyIssues('plan', { base: scenario, question: 'max-dataset', host: {} })).toEqual([{ path: 'host.memoryBytes', message: 'required for question max-dataset' }]);
    const host = { memoryBytes: '8GiB', horizonSec: 60, instances: [{ name: 'a', scenario }, { name: 'a', scenario: { ...scenario, kernel: { thp: 'sometimes' } } }] };
    expect(bodyIssues('host', host).map((i) => i.path)).toEqual(['instances.1.scenario.kernel.thp']);
    expect(bodyIssues('comparison', { scenarios: [scenario] }).map((i) => i.path)).toEqual(['scenarios']);
  });
});
