import { describe, expect, it } from 'vitest';
import { ScenarioSchema } from './scenario.js';
import { axisValues, isScenarioPath, sweepPlan } from './sweep-points.js';

const base = { dataset: { usedMemoryBytes: '64MiB', valueBytes: 100 }, workload: { writesPerSec: 1000 } };

describe('axisValues', () => {
  it('spaces linear points evenly and log points by a constant ratio, ends exact', () => {
    expect(axisValues({ path: 'x', from: 0, to: 1, steps: 5, scale: 'linear' })).toEqual([0, 0.25, 0.5, 0.75, 1]);
    const log = axisValues({ path: 'x', from: 1000, to: 1e6, steps: 4, scale: 'log' }) as number[];
    expect(log).toEqual([1000, 10000, 100000, 1e6]);
    expect(axisValues({ path: 'x', from: 0.1, to: 0.3, steps: 3, scale: 'linear' })).toEqual([0.1, 0.2, 0.3]);
  });
});

describe('isScenarioPath', () => {
  it.each(['workload.writesPerSec', 'dataset.usedMemoryBytes', 'workload.keyDistribution.exponent', 'kernel.thp', 'dataset.segments.0.keys', 'replication.outputBufferLimit.hardBytes'])('accepts %s', (path) => {
    expect(isScenarioPath(path)).toBe(true);
  });
  it.each(['workload.writesPerSecond', 'workload.writesPerSec.x', 'kernel.thp.0', 'nothing'])('refuses %s', (path) => {
    expect(isScenarioPath(path)).toBe(false);
  });
});

describe('sweepPlan', () => {
  it('makes every combination, the first axis outermost, each point parsed as a simulation would be', () => {
    const plan = sweepPlan(base, [{ path: 'workload.writesPerSec', values: [1000, 2000] }, { path: 'kernel.thp', values: ['never', 'always'] }], 1000);
    if (!plan.ok) throw new Error(JSON.stringify(plan.issues));
    expect(plan.points.map((p) => p.values)).toEqual([
      { 'workload.writesPerSec': 1000, 'kernel.thp': 'never' },
      { 'workload.writesPerSec': 1000, 'kernel.thp': 'always' },
      { 'workload.writesPerSec': 2000, 'kernel.thp': 'never' },
      { 'workload.writesPerSec': 2000, 'kernel.thp': 'always' },
    ]);
    expect(plan.points[3]!.scenario).toEqual(ScenarioSchema.parse({ ...base, workload: { writesPerSec: 2000 }, kernel: { thp: 'always' } }));
  });

  it('rounds generated values for fields that take whole numbers only, and keeps fractions elsewhere', () => {
    const plan = sweepPlan(base, [{ path: 'dataset.valueBytes', from: 100, to: 1000, steps: 3, scale: 'log' }], 1000);
    if (!plan.ok) throw new Error(JSON.stringify(plan.issues));
    expect(plan.axes[0]!.values).toEqual([100, 316, 1000]);
    const rates = sweepPlan(base, [{ path: 'workload.writesPerSec', from: 100, to: 1000, steps: 3, scale: 'log' }], 1000);
    expect(rates.ok && rates.axes[0]!.values[1]).toBeCloseTo(316.227766017, 6);
  });

  it('sets fields the base leaves out', () => {
    const plan = sweepPlan(base, [{ path: 'workload.keyDistribution', values: [{ type: 'zipf', exponent: 0.9 }] }, { path: 'host.memoryBytes', values: ['1GiB'] }], 1000);
    if (!plan.ok) throw new Error(JSON.stringify(plan.issues));
    expect(plan.points[0]!.scenario.workload.keyDistribution).toEqual({ type: 'zipf', exponent: 0.9 });
    expect(plan.points[0]!.scenario.host.memoryBytes).toBe(2 ** 30);
  });

  it('refuses the same path twice and more points than allowed, before building any', () => {
    const twice = sweepPlan(base, [{ path: 'kernel.thp', values: ['never'] }, { path: 'kernel.thp', values: ['always'] }], 1000);
    expect(twice).toMatchObject({ ok: false, code: 'VALIDATION_FAILED', issues: [{ path: 'axes.1.path' }] });
    const many = sweepPlan(base, [{ path: 'workload.writesPerSec', from: 1, to: 2, steps: 40, scale: 'linear' }, { path: 'snapshot.durationSec', from: 1, to: 2, steps: 30, scale: 'linear' }], 1000);
    expect(many).toMatchObject({ ok: false, code: 'SWEEP_TOO_LARGE', issues: [{ path: 'axes', message: 'the axes make 1200 points (40 × 30); at most 1000 (MAX_SWEEP_POINTS)' }] });
  });
});
