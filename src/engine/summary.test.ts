import { describe, expect, it } from 'vitest';
import { ScenarioSchema } from '../schemas/scenario.js';
import { resolveRun } from './resolve.js';
import { simulate } from './simulate.js';
import { forkRateGrade, resolvedScenario } from './summary.js';

describe('summary', () => {
  it('grades the fork rate as LATENCY DOCTOR does', () => {
    expect([9.99, 10, 24.99, 25, 99.9, 100].map((r) => forkRateGrade(r, 5000))).toEqual(['terrible', 'poor', 'poor', 'good', 'good', 'excellent']);
  });

  it('calls a fork under 1 ms negligible: the latency monitor, counting whole ms, never records it', () => {
    expect(forkRateGrade(0.002, 999)).toBe('negligible');
    expect(forkRateGrade(0.002, 1000)).toBe('terrible');
    // 1,000 keys of 100 B on the KVM preset: a 445 µs fork, mostly fork()'s fixed cost.
    const tiny = simulate(ScenarioSchema.parse({ dataset: { keys: 1000, valueBytes: 100 } })).summary;
    expect(tiny.latestForkUsec).toBeLessThan(1000);
    expect(tiny.forkRateGBps).toBeLessThan(10);
    expect(tiny.forkRateGrade).toBe('negligible');
  });

  it('sets the cloud rules of thumb side by side, each against the peak copy-on-write', () => {
    const s = simulate(ScenarioSchema.parse({ dataset: { usedMemoryBytes: '1GiB', valueBytes: 100 }, workload: { writesPerSec: 10000 }, snapshot: { durationSec: 10 }, host: { memoryBytes: '1.5GiB' } })).summary;
    const limit = 1.5 * 2 ** 30;
    expect(s.reserveRulesOfThumb.map((r) => [r.rule, r.reservePercent, r.reserveBytes])).toEqual([
      ['aws-elasticache-reserved-memory-percent', 25, Math.round(limit * 0.25)],
      ['azure-cache-maxmemory-reserved', 20, Math.round(limit * 0.2)],
      ['gcp-memorystore-export-maxmemory', 50, Math.round(limit * 0.5)],
    ]);
    for (const r of s.reserveRulesOfThumb) expect(r.coversPeakCow).toBe(r.reserveBytes! >= s.cowPeakBytes);
    // The CoW sits between the 20% and the 50% reserve here, so the rules disagree.
    expect(s.cowPeakBytes).toBeGreaterThan(limit * 0.25);
    expect(s.cowPeakBytes).toBeLessThan(limit * 0.5);
    // The deprecated field still says what the AWS rule says.
    expect(s.cloudReserve.reserveBytes).toBe(limit * 0.25);
    expect(s.copiedBytes).toBe(s.copiedPages * 4096);
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
