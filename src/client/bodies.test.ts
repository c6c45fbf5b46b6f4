import { describe, expect, it } from 'vitest';
import { bodyIssues } from './bodies.js';

const scenario = { dataset: { usedMemoryBytes: '1GiB', valueBytes: 100 } };

describe('bodies checked before they are sent', () => {
  it('names a bad scenario field with its full path in each kind of body', () => {
    expect(bodyIssues('simulation', scenario)).toEqual([]);
    expect(bodyIssues('simulation', { dataset: { keys: 0, valueBytes: 100 } })).toEqual([{ path: 'dataset.keys', message: expect.stringMatching(/>=1/) }]);
    expect(bodyIssues('sweep', { base: { ...scenario, workload: { writesPerSec: -1 } }, axes: [] }).map((i) => i.path)).toEqual(['base.workload.writesPerSec']);
    expect(bodyIssues('plan', { question: 'max-dataset' })).toEqual([{ path: 'base', message: 'required: a scenario' }]);
    const host = { memoryBytes: '8GiB', horizonSec: 60, instances: [{ name: 'a', scenario }, { name: 'b', scenario: { dataset: {} } }] };
    expect(bodyIssues('host', host).map((i) => i.path)).toEqual(['instances.1.scenario.dataset.keys', 'instances.1.scenario.dataset.valueBytes']);
    expect(bodyIssues('comparison', { scenarios: [scenario, { ...scenario, kernel: { thp: 'sometimes' } }] }).map((i) => i.path)).toEqual(['scenarios.1.kernel.thp']);
  });

  it('leaves what is not a scenario to the server', () => {
    expect(bodyIssues('host', { instances: 'many' })).toEqual([]);
    expect(bodyIssues('sweep', { base: scenario, axes: 'not checked here' })).toEqual([]);
  });
});
