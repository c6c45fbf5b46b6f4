import { describe, expect, it } from 'vitest';
import { ScenarioSchema } from '../schemas/scenario.js';
import { resolveRun } from './resolve.js';
import { forkRateGrade, resolvedScenario } from './summary.js';

describe('summary', () => {
  it('grades the fork rate as LATENCY DOCTOR does', () => {
    expect([9.99, 10, 24.99, 25, 99.9, 100].map(forkRateGrade)).toEqual(['terrible', 'poor', 'poor', 'good', 'good', 'excellent']);
  });

  it('echoes the scenario with the key count, duration and costs it resolved to', () => {
    const scenario = ScenarioSchema.parse({ dataset: { usedMemoryBytes: '256MiB', valueBytes: 300 }, snapshot: { throughputBytesPerSec: '100MB' } });
    const run = resolveRun(scenario);
    const echoed = resolvedScenario(scenario, run, 0.1);
    expect(echoed.dataset).toEqual({ keys: run.keys, valueBytes: 300, keyBytes: 16 });
    expect(echoed.snapshot.durationSec).toBe(run.durationSec);
    expect(echoed.snapshot.throughputBytesPerSec).toBe(100e6);
    expect(echoed.allocator.fragmentationRatio).toBe(run.fragmentationRatio);
    expect(echoed.kernel.cowFaultUsec).toBeCloseTo(run.cowFaultUsec, 3);
    expect(echoed.simulation.sampleIntervalSec).toBe(0.1);
    // It resolves to the same run.
    expect(resolveRun(ScenarioSchema.parse(echoed)).durationSec).toBeCloseTo(run.durationSec, 9);
  });
});
