import { describe, expect, it } from 'vitest';
import { ScenarioSchema, type ScenarioInput } from '../schemas/scenario.js';
import { DEFAULT_SAMPLE_INTERVAL_SEC, DEFAULT_SAVE_THROUGHPUT_BYTES_PER_SEC } from './defaults.js';
import { EXACT_MAX_PAGES, EXACT_MAX_WRITES } from './limits.js';
import { resolveRun } from './resolve.js';

const resolve = (input: ScenarioInput) => resolveRun(ScenarioSchema.parse(input));
const refusal = (input: ScenarioInput) => {
  try {
    resolve(input);
  } catch (error) {
    return error as { code: string; path: unknown[]; message: string };
  }
  throw new Error('resolved');
};

describe('resolveRun', () => {
  it('derives the snapshot length from the save throughput when no duration is given', () => {
    const run = resolve({ dataset: { usedMemoryBytes: '1GiB', valueBytes: 100 } });
    expect(run.durationSec).toBe(run.usedMemoryBytes / DEFAULT_SAVE_THROUGHPUT_BYTES_PER_SEC);
    expect(run.simulation.intervalSec).toBe(DEFAULT_SAMPLE_INTERVAL_SEC);
  });

  it('resolves the load: write mix, peak of the schedule, previous fork', () => {
    const run = resolve({
      dataset: { keys: 10_000, valueBytes: 100 },
      workload: { writesPerSec: 100, writeSchedule: [{ fromSec: 1, writesPerSec: 900 }], newKeyFraction: 0.2 },
      snapshot: { durationSec: 10, secondsSincePreviousFork: 4 },
    });
    expect(run.load.peakWritesPerSec).toBe(900);
    expect(run.writeMix.overwriteShare).toBeCloseTo(0.8, 15);
    // The previous child lives as long as this one, but no longer than the time since its fork.
    expect(run.previousFork).toEqual({ secondsSince: 4, childSec: 4 });
    const first = resolve({ dataset: { keys: 10_000, valueBytes: 100 }, snapshot: { durationSec: 10, secondsSincePreviousFork: 'none' } });
    expect(first.previousFork).toEqual({ secondsSince: 'none', childSec: 0 });
  });

  it('refuses a dataset beyond the used-memory limit, naming the dataset', () => {
    expect(refusal({ dataset: { keys: 1e10, valueBytes: '1MiB' } })).toMatchObject({ code: 'SCENARIO_TOO_LARGE', path: ['dataset'] });
  });

  it('refuses a snapshot longer than a day, naming the throughput it came from', () => {
    const error = refusal({ dataset: { usedMemoryBytes: '4TiB', valueBytes: 100 }, snapshot: { throughputBytesPerSec: '1MiB' } });
    expect(error).toMatchObject({ code: 'SCENARIO_TOO_LARGE', path: ['snapshot', 'throughputBytesPerSec'] });
  });

  it('refuses exact runs with more writes to walk than EXACT_MAX_WRITES, counting the schedule’s peak', () => {
    const dataset = { usedMemoryBytes: '1GiB', valueBytes: 100 };
    // 1 write/s, then 1e7/s from 1 s on: 3.6e10 writes at the peak rate over the hour.
    const workload = { writesPerSec: 1, writeSchedule: [{ fromSec: 1, writesPerSec: 1e7 }] };
    const error = refusal({ dataset, workload, snapshot: { durationSec: 3600 }, simulation: { mode: 'exact' } });
    expect(error).toMatchObject({ code: 'EXACT_TOO_LARGE', path: ['simulation', 'mode'] });
    expect(error.message).toMatch(/3\.60e\+10 writes exceed 2e\+9/);
    // Just inside the bound, and the same run in expected mode, resolve.
    const inside = { writesPerSec: EXACT_MAX_WRITES / 3600 };
    expect(resolve({ dataset, workload: inside, snapshot: { durationSec: 3600 }, simulation: { mode: 'exact' } }).mode).toBe('exact');
    expect(resolve({ dataset, workload, snapshot: { durationSec: 3600 } }).mode).toBe('expected');
  });

  it('refuses exact runs with more keys than its 32-bit bitmaps index', () => {
    const input: ScenarioInput = { dataset: { keys: 9e9, valueBytes: 8 }, snapshot: { durationSec: 1 }, simulation: { mode: 'exact' } };
    expect(9e9).toBeGreaterThan(EXACT_MAX_PAGES);
    expect(refusal(input)).toMatchObject({ code: 'EXACT_TOO_LARGE', path: ['simulation', 'mode'] });
    expect(resolve({ ...input, simulation: { mode: 'expected' } }).keys).toBe(9e9);
  });
});
