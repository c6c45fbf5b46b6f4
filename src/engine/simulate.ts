// The simulation: fork, then step through the child's lifetime while the parent serves
// writes. Each step the parent's main thread serves as many writes as one core allows once
// copy-on-write faults are paid for, the copy-on-write model marks the pages they touch, and
// the child saves its share of keys (releasing dismissed values on Redis 7).

import type { Scenario } from '../schemas/scenario.js';
import type { ForkRateGrade, SimulationResult } from '../schemas/result.js';
import { exactCowTracker } from './cow-exact.js';
import { ExpectedCow, expectedCowTracker } from './cow-expected.js';
import type { CowTracker } from './cow-tracker.js';
import { EngineError } from './errors.js';
import { forkCost } from './fork-cost.js';
import { PAGE_BYTES } from './jemalloc.js';
import { round } from './numbers.js';
import { offeredWritesBetween } from './offered-load.js';
import { CHILD_BASELINE_PRIVATE_BYTES, resolveRun, type ResolvedRun } from './resolve.js';
import { distinctShareCurve, type DistinctShareCurve } from './write-mix.js';

export interface SimulateHooks {
  /** Called with the share of simulated time done, 0–1. */
  onProgress?: (fraction: number) => void;
  /** Polled between steps; true stops the run with a CANCELLED error. */
  shouldCancel?: () => boolean;
}

/** Integration steps over the child's life, whatever the number of output points. */
const MIN_STEPS = 4000;
/** AWS ElastiCache reserved-memory-percent default. */
const AWS_RESERVE_PERCENT = 25;

/** LATENCY DOCTOR's fork-rate advice thresholds (src/latency.c), GB/s. */
function forkRateGrade(gbPerSec: number): ForkRateGrade {
  if (gbPerSec < 10) return 'terrible';
  if (gbPerSec < 25) return 'poor';
  if (gbPerSec < 100) return 'good';
  return 'excellent';
}

function cowTracker(run: ResolvedRun, model: ExpectedCow, distinctShare: DistinctShareCurve): CowTracker {
  if (run.mode === 'exact') {
    return exactCowTracker(run.layout, { dismiss: run.dismiss, copyHugePages: run.copyHugePages }, run.writeMix, run.seed);
  }
  return expectedCowTracker(model, distinctShare, run.writeMix.sequential);
}

export function simulate(scenario: Scenario, hooks: SimulateHooks = {}): SimulationResult {
  const run = resolveRun(scenario);
  const mix = run.writeMix;
  const sequential = mix.sequential;
  const keys = run.keys;
  const T = run.durationSec;
  const model = new ExpectedCow(run.layout, { dismiss: run.dismiss, copyHugePages: run.copyHugePages });
  const distinctShare = distinctShareCurve(mix, run.load.peakWritesPerSec * T * 1.01 + 2);

  const { overwriteShare, bucketShare } = mix;
  const tracker = cowTracker(run, model, distinctShare);

  const { timesSec: times, intervalSec } = run.sampling;
  const series = {
    tSec: [] as number[],
    copiedPages: [] as number[],
    cowBytes: [] as number[],
    parentRssBytes: [] as number[],
    childPrivateBytes: [] as number[],
    hostMemoryBytes: [] as number[],
    writes: [] as number[],
    forkPerc: [] as number[],
    faultStallMs: [] as number[],
  };

  let writesServed = 0;
  let writesOffered = 0;
  let overwrites = 0;
  let insertedBytes = 0;
  let stallMsInterval = 0;
  let stallMsTotal = 0;
  let cowPeak = 0;
  let hostPeak = 0;
  let finalCow = 0;
  let copiedAtExit = 0;
  let writesAtExit = 0;
  let offeredAtExit = 0;
  const stepsPerSample = Math.max(1, Math.ceil(MIN_STEPS / Math.max(1, times.length)));

  const cowNow = (alive: boolean) => (alive ? tracker.heldPages() * PAGE_BYTES + CHILD_BASELINE_PRIVATE_BYTES : 0);
  const record = (t: number, alive: boolean) => {
    const cow = cowNow(alive);
    const parent = run.usedMemoryRssBytes + insertedBytes;
    series.tSec.push(round(t, 6));
    series.copiedPages.push(Math.round(tracker.copiedPages()));
    series.cowBytes.push(Math.round(cow));
    series.parentRssBytes.push(Math.round(parent));
    series.childPrivateBytes.push(Math.round(cow));
    series.hostMemoryBytes.push(Math.round(parent + cow));
    series.writes.push(Math.round(writesServed));
    series.forkPerc.push(round(Math.min(100, (100 * t) / T), 4));
    series.faultStallMs.push(round(stallMsInterval, 6));
    stallMsInterval = 0;
  };

  record(0, true);
  cowPeak = cowNow(true);
  hostPeak = run.usedMemoryRssBytes + cowPeak;
  for (let s = 1; s < times.length; s++) {
    if (hooks.shouldCancel?.()) throw new EngineError('CANCELLED', 'simulation cancelled');
    const t0 = times[s - 1]!;
    const t1 = times[s]!;
    const alive = t1 <= T;
    for (let k = 0; k < stepsPerSample; k++) {
      const a = t0 + ((t1 - t0) * k) / stepsPerSample;
      const b = t0 + ((t1 - t0) * (k + 1)) / stepsPerSample;
      const dt = b - a;
      const offered = offeredWritesBetween(run.load, a, b);
      let rate = dt > 0 ? offered / dt : 0;
      if (alive) {
        // One main thread: faults per write (marginal, from the analytic model) bound the rate.
        const share = distinctShare(overwrites);
        const delta = Math.max(1, overwrites * 1e-3, keys * 1e-7);
        const faultsPerWrite =
          overwriteShare * ((model.faults(distinctShare(overwrites + delta), sequential) - model.faults(share, sequential)) / delta);
        const usecPerWrite = run.serviceUsecPerWrite + faultsPerWrite * run.copyFaultUsec;
        rate = Math.min(rate, 1e6 / usecPerWrite);
      } else {
        rate = Math.min(rate, 1e6 / run.serviceUsecPerWrite);
      }
      const served = rate * dt;
      writesServed += served;
      writesOffered += offered;
      insertedBytes += served * mix.insertShare * run.layout.perKeyUsableBytes;
      if (alive) {
        const faultsBefore = tracker.faults();
        overwrites += served * overwriteShare;
        tracker.advance(served * overwriteShare, served * bucketShare, Math.min(1, a / T), Math.min(1, b / T));
        const stallMs = ((tracker.faults() - faultsBefore) * run.copyFaultUsec) / 1000;
        stallMsInterval += stallMs;
        stallMsTotal += stallMs;
        const cow = cowNow(true);
        cowPeak = Math.max(cowPeak, cow);
        hostPeak = Math.max(hostPeak, run.usedMemoryRssBytes + insertedBytes + cow);
      }
    }
    if (t1 === T) {
      finalCow = cowNow(true);
      copiedAtExit = tracker.copiedPages();
      writesAtExit = writesServed;
      offeredAtExit = writesOffered;
    }
    hostPeak = Math.max(hostPeak, run.usedMemoryRssBytes + insertedBytes);
    record(t1, t1 <= T);
    hooks.onProgress?.(Math.min(1, t1 / times[times.length - 1]!));
  }

  const usedMemory = run.usedMemoryBytes;
  const limit = run.hostMemoryBytes;
  const reserveBytes = limit === null ? null : (limit * AWS_RESERVE_PERCENT) / 100;
  const fork = forkCost(run);
  const forkRateGBps = usedMemory / 2 ** 30 / (fork.forkUsec / 1e6);
  const resolvedScenario: Scenario = {
    ...scenario,
    // Keys, not used memory: re-submitting the resolved scenario gives the same result.
    dataset: { keys, valueBytes: scenario.dataset.valueBytes, keyBytes: scenario.dataset.keyBytes },
    allocator: { fragmentationRatio: run.fragmentationRatio },
    snapshot: { ...scenario.snapshot, durationSec: T },
    kernel: {
      ...scenario.kernel,
      forkUsecPerGiB: round(run.forkCosts.wpUsecPerGiB, 3),
      forkWritableUsecPerGiB: round(run.forkCosts.writableUsecPerGiB, 3),
      forkUsecPerGiBHuge: round(run.forkCosts.hugeWpUsecPerGiB, 3),
      cowFaultUsec: round(run.cowFaultUsec, 3),
    },
    simulation: { ...scenario.simulation, sampleIntervalSec: round(intervalSec, 6) },
  };
  return {
    summary: {
      keys,
      usedMemoryBytes: usedMemory,
      usedMemoryRssBytes: run.usedMemoryRssBytes,
      latestForkUsec: Math.round(fork.forkUsec),
      forkWritableShare: round(fork.writableShare, 4),
      forkRateGBps: round(forkRateGBps, 3),
      forkRateGrade: forkRateGrade(forkRateGBps),
      rdbBgsaveTimeSec: round(T, 6),
      cowPeakBytes: Math.round(cowPeak),
      cowPeakPercentOfUsedMemory: round((100 * cowPeak) / usedMemory, 3),
      rdbLastCowSize: Math.round(run.lastCowSizeIsPeak ? cowPeak : finalCow),
      finalCowBytes: Math.round(finalCow),
      peakHostMemoryBytes: Math.round(hostPeak),
      copiedPages: Math.round(copiedAtExit),
      copyUnitBytes: run.copyUnitBytes,
      writes: Math.round(writesAtExit),
      writesOffered: Math.round(offeredAtExit),
      writesPerSecOffered: round(offeredAtExit / T, 3),
      writesPerSecAchieved: round(writesAtExit / T, 3),
      distinctKeysWritten: Math.round(distinctShare(overwrites) * keys),
      faultStallMsTotal: round(stallMsTotal, 3),
      hugePagesActive: run.hugePagesActive,
      hugePageCoverage: round(fork.hugePageCoverage, 4),
      dismissActive: run.dismiss,
      oom: {
        limitBytes: limit,
        headroomBytes: limit === null ? null : Math.round(limit - hostPeak),
        atRisk: limit === null ? null : hostPeak > limit,
      },
      cloudReserve: {
        rule: 'aws-elasticache-reserved-memory-percent',
        reservePercent: AWS_RESERVE_PERCENT,
        reserveBytes,
        coversPeakCow: reserveBytes === null ? null : reserveBytes >= cowPeak,
      },
      scenario: resolvedScenario,
    },
    series,
  };
}
