import { describe, expect, it } from 'vitest';
import { simulate } from '../engine/simulate.js';
import { PlanRequestSchema, type PlanRequestInput, type PlanResult } from '../schemas/planning.js';
import { ScenarioSchema, type Scenario, type ScenarioInput } from '../schemas/scenario.js';
import { plan } from './plan.js';

const MiB = 1024 * 1024;
const base: ScenarioInput = { dataset: { usedMemoryBytes: '256MiB', valueBytes: 200 }, workload: { writesPerSec: 5000 }, snapshot: { durationSec: 20 } };
const HOST = 768 * MiB;
const HEADROOM = 10;
const budget = (memoryBytes: number, headroom = HEADROOM) => memoryBytes * (1 - headroom / 100);

function ask(question: PlanRequestInput['question'], extra: Partial<PlanRequestInput> = {}): PlanResult {
  return plan(PlanRequestSchema.parse({ base, question, host: { memoryBytes: HOST }, headroomPercent: HEADROOM, ...extra }));
}

/** The engine's peak for a scenario on a host, as a client would simulate it. */
function peakOf(scenario: Scenario | ScenarioInput, memoryBytes = HOST): number {
  const parsed = ScenarioSchema.parse({ ...scenario, host: { ...scenario.host, memoryBytes } });
  return simulate(parsed).summary.oom.peakBytes;
}

function boundaryOf(result: PlanResult): Scenario {
  expect(result.answer.value).not.toBeNull();
  expect(result.boundary).not.toBeNull();
  return ScenarioSchema.parse(result.boundary!.scenario);
}

describe('plan: each answer, simulated, fits within the headroom and one step more does not', () => {
  it('max-write-rate', () => {
    const result = ask('max-write-rate');
    const boundary = boundaryOf(result);
    const rate = result.answer.value!;
    expect(result.answer.unit).toBe('writes/s');
    expect(boundary.workload.writesPerSec).toBe(rate);
    expect(peakOf(boundary)).toBeLessThanOrEqual(budget(HOST));
    const step = Math.max(1, Math.round(rate * 1e-3));
    expect(peakOf({ ...boundary, workload: { ...boundary.workload, writesPerSec: rate + step } })).toBeGreaterThan(budget(HOST));
    // The base (5000/s) is within it only if its own simulation fits.
    expect(peakOf(ScenarioSchema.parse(base)) <= budget(HOST)).toBe(5000 <= rate);
    expect(result.iterations).toBe(result.probes.length);
    expect(result.iterations).toBeLessThan(30);
    expect(result.monotone).toBe(true);
  });

  it('max-snapshot-duration', () => {
    const result = ask('max-snapshot-duration', { base: { ...base, workload: { writesPerSec: 20000 } } });
    const boundary = boundaryOf(result);
    const d = result.answer.value!;
    expect(boundary.snapshot.durationSec).toBe(d);
    expect(peakOf(boundary)).toBeLessThanOrEqual(budget(HOST));
    const step = Math.max(1e-3, Math.round(d * 1e-3 * 1000) / 1000);
    expect(peakOf({ ...boundary, snapshot: { ...boundary.snapshot, durationSec: d + step } })).toBeGreaterThan(budget(HOST));
    // The same answer as a save throughput: used_memory over the duration.
    expect(result.answer.equivalents!.throughputBytesPerSec).toBeCloseTo(result.boundary!.summary.usedMemoryBytes / d, -1);
  });

  it('max-dataset, keeping the composition of a dataset of segments', () => {
    const segments: ScenarioInput = {
      dataset: {
        segments: [
          { type: 'string', keys: 400_000, valueBytes: 300 },
          { type: 'hash', keys: 20_000, elements: 40, elementBytes: 30 },
        ],
      },
      workload: { writesPerSec: 10_000 },
      snapshot: { durationSec: 10 },
    };
    const result = ask('max-dataset', { base: segments });
    const boundary = boundaryOf(result);
    const [strings, hashes] = boundary.dataset.segments!;
    // Both segments scaled by the same factor.
    expect(strings!.keys / 400_000).toBeCloseTo(hashes!.keys / 20_000, 3);
    expect(result.answer.value).toBe(result.boundary!.summary.usedMemoryBytes);
    expect(peakOf(boundary)).toBeLessThanOrEqual(budget(HOST));
    const more = { ...boundary, dataset: { ...boundary.dataset, segments: boundary.dataset.segments!.map((s) => ({ ...s, keys: Math.ceil(s.keys * 1.001) })) } };
    expect(peakOf(more)).toBeGreaterThan(budget(HOST));
  });

  it('max-dataset of the shorthand, its save length following its size', () => {
    const result = ask('max-dataset');
    const boundary = boundaryOf(result);
    const keys = boundary.dataset.keys!;
    expect(peakOf(boundary)).toBeLessThanOrEqual(budget(HOST));
    expect(peakOf({ ...boundary, dataset: { ...boundary.dataset, keys: keys + Math.ceil(keys * 1e-3) } })).toBeGreaterThan(budget(HOST));
    // 20 s for 256 MiB became a throughput: the boundary's save lasts in proportion to its size.
    const base256 = simulate(ScenarioSchema.parse(base)).summary.usedMemoryBytes;
    expect(result.boundary!.summary.rdbBgsaveTimeSec).toBeCloseTo((20 * result.boundary!.summary.usedMemoryBytes) / base256, 1);
  });

  it('min-host-memory, with the VM reserve that grows with the host', () => {
    const result = plan(PlanRequestSchema.parse({ base, question: 'min-host-memory', host: {}, headroomPercent: HEADROOM }));
    const memory = result.answer.value!;
    expect(memory % MiB).toBe(0);
    expect(peakOf(ScenarioSchema.parse(base), memory)).toBeLessThanOrEqual(budget(memory));
    expect(peakOf(ScenarioSchema.parse(base), memory - MiB)).toBeGreaterThan(budget(memory - MiB));
    expect(result.fits.reservedBytes).toBe(result.boundary!.summary.oom.reservedBytes);
  });

  it('max-maxmemory: a whole MiB, a dataset of that used_memory fits and one step more does not', () => {
    // A save at a fixed throughput: a dataset of any size saves as the plan's boundary does.
    const byThroughput = { ...base, snapshot: { throughputBytesPerSec: 10e6 } };
    const result = ask('max-maxmemory', { base: byThroughput, host: { memoryBytes: HOST, reservedBytes: 0 }, headroomPercent: 5 });
    const maxmemory = result.answer.value!;
    expect(maxmemory % MiB).toBe(0);
    const sized = (usedMemoryBytes: number) => ({ ...byThroughput, dataset: { usedMemoryBytes, valueBytes: 200 }, host: { reservedBytes: 0 } });
    expect(peakOf(sized(maxmemory))).toBeLessThanOrEqual(budget(HOST, 5));
    // The step: to the next whole MiB, and at most half a MiB of search resolution past it.
    expect(result.step!).toBeGreaterThan(0);
    expect(result.step!).toBeLessThan(1.5 * MiB);
    expect(peakOf(sized(maxmemory + result.step!))).toBeGreaterThan(budget(HOST, 5));
    expect(result.answer.equivalents!.percentOfHostMemory).toBeCloseTo((100 * result.boundary!.summary.usedMemoryBytes) / HOST, 1);
  });
});

describe('plan: null answers and the verdicts beside them', () => {
  it('no write rate fits a host smaller than the dataset', () => {
    const result = ask('max-write-rate', { host: { memoryBytes: 200 * MiB } });
    expect(result.answer.value).toBeNull();
    expect(result.answer.reason).toMatch(/^no value fits: even 0 writes\/s peaks at \d+ B, over the budget of \d+ B$/);
    expect(result.boundary).toBeNull();
    expect(result.probes.at(-1)).toMatchObject({ value: 0, fits: false });
  });

  it('every write rate fits a host far larger than the dataset copied twice', () => {
    const result = ask('max-write-rate', { base: { ...base, dataset: { usedMemoryBytes: '16MiB', valueBytes: 200 } }, host: { memoryBytes: '4GiB' } });
    expect(result.answer.value).toBeNull();
    expect(result.answer.reason).toMatch(/^every value fits: even 10000000 writes\/s/);
  });

  it('the exact check agrees on a small boundary, and is skipped with its reason past its budget', () => {
    const small = ask('max-write-rate');
    expect(small.exactCheck.status).toBe('agrees');
    expect(Math.abs(small.exactCheck.differencePercent!)).toBeLessThan(3);
    // 8 GiB of 100 B values: about 4e7 keys, past the check's 2e7.
    const large = ask('max-write-rate', { base: { ...base, dataset: { usedMemoryBytes: '8GiB', valueBytes: 100 } }, host: { memoryBytes: '12GiB' } });
    expect(large.answer.value).not.toBeNull();
    expect(large.exactCheck).toMatchObject({ status: 'skipped', fits: null, peakBytes: null });
    expect(large.exactCheck.reason).toMatch(/^exact mode would hold 4\.\d\de\+7 keys, past the plan's 2e\+7/);
  });

  it('sets the cloud rules beside the engine’s answer, each over or under by the difference', () => {
    const result = ask('max-dataset', { host: { memoryBytes: '2GiB' } });
    const value = result.answer.value!;
    const twoGiB = 2048 * MiB;
    expect(result.cloudRules.map((r) => [r.rule, r.datasetSharePercent, r.value])).toEqual([
      ['aws-elasticache-reserved-memory-percent', 75, Math.floor(twoGiB * 0.75)],
      ['azure-maxmemory-reserved', 80, Math.floor(twoGiB * 0.8)],
      ['gcp-memorystore-export', 50, Math.floor(twoGiB * 0.5)],
    ]);
    for (const rule of result.cloudRules) {
      expect(rule.ruleOfThumb).toBe(true);
      expect(rule.differenceBytes).toBe(value - rule.value!);
      expect(rule.verdict).toBe(rule.differenceBytes! > 0 ? 'over-provisions' : 'under-provisions');
    }
  });
});

describe('plan request', () => {
  it('names the field and the limit it breaks', () => {
    const missing = PlanRequestSchema.safeParse({ base, question: 'max-dataset', host: {} });
    expect(missing.success).toBe(false);
    expect(missing.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['host.memoryBytes', 'required for question max-dataset']]);
    const headroom = PlanRequestSchema.safeParse({ base, question: 'max-dataset', host: { memoryBytes: HOST }, headroomPercent: 100 });
    expect(headroom.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['headroomPercent', 'Too big: expected number to be <=99']]);
  });
});
