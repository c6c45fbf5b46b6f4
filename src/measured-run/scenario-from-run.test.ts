import { describe, expect, it } from 'vitest';
import { measuredSchedule, scenarioFromRun, scheduledScenarioFromRun } from './scenario-from-run.js';
import { MeasuredRunSchema } from './schema.js';

const run = (overrides: { thp?: 'never' | 'always'; disableThp?: 'yes' | 'no'; distribution?: object } = {}) =>
  MeasuredRunSchema.parse({
    scenario: { name: 'r', value_bytes: 100, distribution: overrides.distribution ?? { type: 'hotset', f: 0.02, p: 0.8 }, thp: overrides.thp ?? 'never' },
    environment: { redis_disable_thp: overrides.disableThp ?? 'yes' },
    fill: { keys: 1_000_000 },
    prefork: { info: { used_memory: 200e6, used_memory_rss: 300e6 } },
    summary: { fork_ms: 20, snapshot_seconds: 2.5, write_rate_achieved: 1234, writes_during_snapshot: 3085, peak_cow_bytes: 5e7 },
    series: [
      { t_s: 0.5, child_private_dirty_bytes: 1e6, writes_so_far: 1000 },
      { t_s: 1.5, child_private_dirty_bytes: 2e6, writes_so_far: 1500 },
      { t_s: 2.5, child_private_dirty_bytes: 3e6, writes_so_far: 3500 },
      { t_s: 2.7, child_private_dirty_bytes: null, writes_so_far: 3600 },
    ],
  });

describe('measured run → scenario', () => {
  it('feeds the engine the measured keys, fragmentation, achieved rate and child lifetime', () => {
    const s = scenarioFromRun(run());
    expect(s.dataset).toEqual({ keys: 1_000_000, valueBytes: 100, keyBytes: 'key:999999'.length });
    expect(s.allocator.fragmentationRatio).toBe(1.5);
    expect(s.workload.writesPerSec).toBe(1234);
    expect(s.workload.keyDistribution).toEqual({ type: 'hotset', hotKeyFraction: 0.02, hotWriteFraction: 0.8 });
    expect(s.snapshot.durationSec).toBe(2.5);
    expect(s.kernel).toMatchObject({ thp: 'never', platform: 'reference-kvm' });
    expect(s.redis).toMatchObject({ version: '7.0', disableThp: true });
  });

  it('maps Zipf, THP with disable-thp no, and a chosen platform', () => {
    const s = scenarioFromRun(run({ thp: 'always', disableThp: 'no', distribution: { type: 'zipf', s: 1.1 } }), { platform: 'kvm' });
    expect(s.workload.keyDistribution).toEqual({ type: 'zipf', exponent: 1.1 });
    expect(s.kernel).toMatchObject({ thp: 'always', platform: 'kvm' });
    expect(s.redis.disableThp).toBe(false);
  });

  it('turns the write counter into per-second steps, interpolating between samples', () => {
    // 0 → 1000 writes by 0.5 s, 1500 by 1.5 s, 3500 by 2.5 s: 1250 by 1 s, 2500 by 2 s.
    expect(measuredSchedule(run().series, 2.5)).toEqual([
      { fromSec: 0, writesPerSec: 1250 },
      { fromSec: 1, writesPerSec: 1250 },
      { fromSec: 2, writesPerSec: 2000 },
    ]);
    expect(scheduledScenarioFromRun(run()).workload.writeSchedule).toHaveLength(3);
  });
});
