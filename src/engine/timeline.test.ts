import { describe, expect, it } from 'vitest';
import { ScenarioSchema, type ScenarioInput } from '../schemas/scenario.js';
import { ExpectedCow } from './cow-expected.js';
import type { CowTracker } from './cow-tracker.js';
import { planForkEvent } from './fork-event.js';
import type { MemoryBeside } from './memory-parts.js';
import { CHILD_BASELINE_PRIVATE_BYTES, resolveRun, type ResolvedRun } from './resolve.js';
import { eventSampling } from './sampling.js';
import { keyspaceFaultCost, runTimeline, type FaultCostModel, type TimelineHooks } from './timeline.js';
import { distinctShareCurve } from './write-mix.js';

const resolve = (input: ScenarioInput) => resolveRun(ScenarioSchema.parse(input));
const faultCost = (run: ReturnType<typeof resolve>): FaultCostModel =>
  keyspaceFaultCost(new ExpectedCow(run.layout, { dismiss: run.dismiss, copyHugePages: run.copyHugePages }), distinctShareCurve(run.writeMix, 1e8), run.writeMix.sequential, run.keys);

const nothingBeside: MemoryBeside = { replicationBuffer: null, aofParentBuffer: null, aofChildDiff: null, pageCache: null, replica: null, pageTableBytes: 0 };

/** The run's fork event stepped with a fresh tracker per child. */
function timeline(run: ResolvedRun, tracker: () => CowTracker, hooks: TimelineHooks = {}, beside = nothingBeside, cost = faultCost(run)) {
  const event = planForkEvent(run);
  const times = eventSampling([...event.children.flatMap((c) => [c.startSec, c.endSec]), event.endSec], event.endSec, run.simulation.intervalSec, run.simulation.maxPoints).timesSec;
  return runTimeline(run, event, times, tracker, cost, beside, hooks);
}

/** One page copied and one fault per overwrite; the child holds half of them. */
function countingTracker(): CowTracker {
  let overwrites = 0;
  return {
    advance: (n) => void (overwrites += n),
    copiedPages: () => overwrites,
    heldPages: () => overwrites / 2,
    faults: () => overwrites,
  };
}

describe('timeline', () => {
  const input: ScenarioInput = {
    dataset: { keys: 100_000, valueBytes: 100 },
    workload: { writesPerSec: 1000 },
    snapshot: { durationSec: 2 },
    simulation: { sampleIntervalSec: 0.5 },
  };

  it('records the child while it lives and the parent alone after its exit', () => {
    const run = resolve(input);
    const { series, exit, cowPeakBytes, hostPeakBytes } = timeline(run, countingTracker);
    // A 1 s tail after the 2 s child.
    expect(series.tSec).toEqual([0, 0.5, 1, 1.5, 2, 2.5, 3]);
    expect(series.writes).toEqual([0, 500, 1000, 1500, 2000, 2500, 3000]);
    expect(series.cowBytes.slice(0, 5)).toEqual([0, 250, 500, 750, 1000].map((pages) => pages * 4096 + CHILD_BASELINE_PRIVATE_BYTES));
    expect(series.cowBytes.slice(5)).toEqual([0, 0]);
    expect(series.hostMemoryBytes.slice(5)).toEqual(series.parentRssBytes.slice(5));
    expect(series.forkPerc).toEqual([0, 25, 50, 75, 100, 100, 100]);
    expect(exit.cowBytes).toBeCloseTo(1000 * 4096 + CHILD_BASELINE_PRIVATE_BYTES, 3);
    for (const count of [exit.copiedPages, exit.writes, exit.writesOffered]) expect(count).toBeCloseTo(2000, 6);
    expect(cowPeakBytes).toBeCloseTo(exit.cowBytes, 3);
    expect(hostPeakBytes).toBeCloseTo(run.usedMemoryRssBytes + exit.cowBytes, 3);
  });

  it('charges each fault to the main thread and reports the stall per sample', () => {
    const run = resolve(input);
    const stepped = timeline(run, countingTracker);
    expect(stepped.faultStallMsTotal).toBeCloseTo((2000 * run.copyFaultUsec) / 1000, 6);
    expect(stepped.series.faultStallMs[1]).toBeCloseTo((500 * run.copyFaultUsec) / 1000, 6);
    expect(stepped.series.faultStallMs[6]).toBe(0);
  });

  it('serves what one thread can once the analytic model’s faults cost, and the full rate after the exit', () => {
    const flat = resolve({ ...input, workload: { writesPerSec: 1e6 } });
    const { series } = timeline(flat, countingTracker);
    const perSec = (writes: number[], i: number) => (writes[i]! - writes[i - 1]!) / 0.5;
    const unthrottled = 1e6 / flat.serviceUsecPerWrite;
    expect(perSec(series.writes, 1)).toBeLessThan(0.9 * unthrottled);
    // The series counts whole writes.
    expect(Math.abs(perSec(series.writes, 6) - unthrottled)).toBeLessThanOrEqual(4);
    // Near-free faults leave only the service time.
    const cheap = resolve({ ...input, workload: { writesPerSec: 1e6 }, kernel: { cowFaultUsec: 1e-6 } });
    const fast = timeline(cheap, countingTracker).series.writes;
    expect(perSec(fast, 1)).toBeGreaterThan(0.999 * unthrottled);
  });

  it.each([1e3, 1e5, 1.6e5, 1.7e5, 3e5, 1e6])('serves %d writes/s the same whether or not the slope is read below its bound', (writesPerSec) => {
    for (const kernel of [{}, { thp: 'always' as const, thpCow: 'copy-2m' as const }]) {
      const run = resolve({ ...input, workload: { writesPerSec }, kernel, redis: { disableThp: false } });
      const bounded = timeline(run, countingTracker);
      // With no bound every step reads the slope.
      const unbounded = timeline(run, countingTracker, {}, nothingBeside, { ...faultCost(run), maxFaultsPerOverwrite: Infinity });
      expect(bounded.series.writes).toEqual(unbounded.series.writes);
      expect(bounded.exit).toEqual(unbounded.exit);
    }
  });

  it('reports progress after each sample and stops when cancelled', () => {
    const run = resolve(input);
    const progress: number[] = [];
    timeline(run, countingTracker, { onProgress: (f) => progress.push(f) });
    expect(progress).toEqual([0.5, 1, 1.5, 2, 2.5, 3].map((t) => t / 3));
    let polls = 0;
    const cancelled = () => timeline(run, countingTracker, { shouldCancel: () => ++polls > 2 });
    expect(cancelled).toThrow(expect.objectContaining({ code: 'CANCELLED' }));
    expect(polls).toBe(3);
  });
});
