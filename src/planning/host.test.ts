import { describe, expect, it } from 'vitest';
import { simulate } from '../engine/simulate.js';
import { HostRequestSchema, type HostRequestInput } from '../schemas/planning.js';
import { ScenarioSchema, type ScenarioInput } from '../schemas/scenario.js';
import { planHost } from './host.js';

const small: ScenarioInput = { dataset: { usedMemoryBytes: '128MiB', valueBytes: 100 }, workload: { writesPerSec: 20_000 }, snapshot: { durationSec: 10 } };
const larger: ScenarioInput = { dataset: { usedMemoryBytes: '256MiB', valueBytes: 1000 }, workload: { writesPerSec: 5_000 }, snapshot: { durationSec: 15 } };

/** An instance's own figures, from its own simulation. */
function own(scenario: ScenarioInput) {
  const { series } = simulate(ScenarioSchema.parse(scenario));
  return { peak: Math.max(...series.hostMemoryBytes), baseline: series.parentRssBytes[0]!, eventSec: series.tSec.at(-1)! };
}

const host = (instances: HostRequestInput['instances'], horizonSec = 600) => planHost(HostRequestSchema.parse({ memoryBytes: '4GiB', horizonSec, instances }));

describe('planHost', () => {
  it('peaks at the maximum of the summed series: apart, one instance’s peak over the other’s baseline', () => {
    const a = own(small);
    const b = own(larger);
    const result = host([
      { name: 'a', scenario: small, firstSnapshotAtSec: 0 },
      { name: 'b', scenario: larger, firstSnapshotAtSec: 200 },
    ]);
    const { tSec, hostMemoryBytes } = result.series;
    expect(result.peak.bytes).toBe(Math.max(...hostMemoryBytes));
    expect(hostMemoryBytes[tSec.indexOf(result.peak.atSec)]).toBe(result.peak.bytes);
    expect(result.peak.bytes).toBe(Math.round(Math.max(a.peak + b.baseline, b.peak + a.baseline)));
    // Between the events both hold their baselines.
    const quiet = tSec.findIndex((t) => t > 100 && t < 190);
    expect(hostMemoryBytes[quiet]).toBe(Math.round(a.baseline + b.baseline));
    expect(result.overlapCount).toBe(0);
    expect(result.peak.headroomBytes).toBe(4 * 2 ** 30 - result.reservedBytes - result.peak.bytes);
  });

  it('sums overlapping forks, lists the overlaps, and staggers them apart down to the lower bound', () => {
    const a = own(small);
    const result = host(
      ['a', 'b', 'c'].map((name) => ({ name, scenario: small, snapshotEverySec: 200 })),
      600,
    );
    // All three fork at once, three times: their peaks coincide.
    expect(result.peak.bytes).toBe(Math.round(3 * a.peak));
    expect(result.instances.map((i) => i.forks.length)).toEqual([3, 3, 3]);
    expect(result.overlapCount).toBe(9);
    expect(result.overlaps[0]).toMatchObject({ a: { instance: 'a', startSec: 0 }, b: { instance: 'b', startSec: 0 }, fromSec: 0 });
    const { stagger } = result;
    expect(stagger.lowerBoundBytes).toBe(Math.round(a.peak + 2 * a.baseline));
    expect(stagger.peakBytes).toBeLessThan(result.peak.bytes);
    expect(stagger.reductionBytes).toBe(result.peak.bytes - stagger.peakBytes);
    expect(stagger.peakBytes).toBeGreaterThanOrEqual(stagger.lowerBoundBytes);
    // Three 10 s saves in a 200 s period have room to sit apart: the bound is reached.
    expect(stagger.peakBytes).toBe(stagger.lowerBoundBytes);
    const offsets = stagger.offsets.map((o) => o.firstSnapshotAtSec).sort((x, y) => x - y);
    for (let i = 1; i < offsets.length; i++) expect(offsets[i]! - offsets[i - 1]!).toBeGreaterThanOrEqual(a.eventSec - 1);
  });

  it('never forks an instance while its child lives, even when its period is shorter', () => {
    const result = host([{ name: 'a', scenario: small, snapshotEverySec: 4 }], 40);
    const starts = result.instances[0]!.forks.map((f) => f.startSec);
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(10);
  });
});

describe('host request', () => {
  const one = { name: 'a', scenario: small };
  const issues = (input: unknown) => HostRequestSchema.safeParse(input).error?.issues.map((i) => [i.path.join('.'), i.message]);

  it('names the field and the limit it breaks', () => {
    expect(issues({ memoryBytes: '4GiB', horizonSec: 700_000, instances: [one] })).toEqual([['horizonSec', 'Too big: expected number to be <=604800']]);
    expect(issues({ memoryBytes: '4GiB', horizonSec: 60, instances: Array.from({ length: 65 }, (_, i) => ({ ...one, name: `i${i}` })) })).toEqual([
      ['instances', 'Too big: expected array to have <=64 items'],
    ]);
    expect(issues({ memoryBytes: '4GiB', horizonSec: 86_400, instances: [{ ...one, snapshotEverySec: 1 }] })).toEqual([
      ['instances', '86400 fork events over the horizon exceed the limit of 10000: lengthen snapshotEverySec or shorten horizonSec'],
    ]);
    expect(issues({ memoryBytes: '4GiB', horizonSec: 60, instances: [one, one] })).toEqual([['instances.1.name', 'duplicate instance name "a"']]);
    expect(issues({ memoryBytes: '4GiB', horizonSec: 60, instances: [{ ...one, firstSnapshotAtSec: 60 }] })).toEqual([['instances.0.firstSnapshotAtSec', 'must be below horizonSec (60)']]);
  });
});
