// The child's lifetime stepped in time, and a short tail after it. Each step the parent's main
// thread serves as many of the offered writes as one core allows once copy-on-write faults
// are paid for, the tracker marks the pages they touch, and the child saves its share of the
// keys (releasing dismissed values on Redis 7). Each sample records the memory parts — the
// parent, the child — and the host's sum of them, and the peaks are kept step by step.

import type { Series } from '../schemas/result.js';
import type { ExpectedCow } from './cow-expected.js';
import type { CowTracker } from './cow-tracker.js';
import { EngineError } from './errors.js';
import { PAGE_BYTES } from './jemalloc.js';
import { round } from './numbers.js';
import { offeredWritesBetween } from './offered-load.js';
import { CHILD_BASELINE_PRIVATE_BYTES, type ResolvedRun } from './resolve.js';
import type { DistinctShareCurve } from './write-mix.js';

/** Integration steps over the child's life, whatever the number of output points. */
const MIN_STEPS = 4000;

export interface TimelineHooks {
  /** Called with the share of simulated time done, 0–1. */
  onProgress?: (fraction: number) => void;
  /** Polled between samples; true stops the run with a CANCELLED error. */
  shouldCancel?: () => boolean;
}

/**
 * The analytic model the main thread's fault cost is read from, whichever tracker runs: the
 * marginal faults per write at the distinct share written so far.
 */
export interface FaultCostModel {
  model: ExpectedCow;
  distinctShare: DistinctShareCurve;
}

/** What the stepping recorded: the series, and the figures the summary is made of. */
export interface Timeline {
  series: Series;
  /** Child Private_Dirty and parent + child, peaks over every step. */
  cowPeakBytes: number;
  hostPeakBytes: number;
  /** At the child's exit. */
  exit: { cowBytes: number; copiedPages: number; writes: number; writesOffered: number };
  faultStallMsTotal: number;
  /** Expected distinct keys overwritten while the child lived. */
  distinctKeysWritten: number;
}

function emptySeries(): Series {
  return {
    tSec: [],
    copiedPages: [],
    cowBytes: [],
    parentRssBytes: [],
    childPrivateBytes: [],
    hostMemoryBytes: [],
    writes: [],
    forkPerc: [],
    faultStallMs: [],
  };
}

/** The stepping state: counters, peaks and the series being recorded. */
class Stepper {
  readonly series = emptySeries();
  writesServed = 0;
  writesOffered = 0;
  overwrites = 0;
  insertedBytes = 0;
  stallMsInterval = 0;
  stallMsTotal = 0;
  cowPeak = 0;
  hostPeak = 0;
  readonly exit = { cowBytes: 0, copiedPages: 0, writes: 0, writesOffered: 0 };
  private readonly stepsPerSample: number;

  constructor(
    private readonly run: ResolvedRun,
    private readonly tracker: CowTracker,
    private readonly faultCost: FaultCostModel,
  ) {
    this.stepsPerSample = Math.max(1, Math.ceil(MIN_STEPS / Math.max(1, run.sampling.timesSec.length)));
  }

  parentBytes(): number {
    return this.run.usedMemoryRssBytes + this.insertedBytes;
  }

  childBytes(alive: boolean): number {
    return alive ? this.tracker.heldPages() * PAGE_BYTES + CHILD_BASELINE_PRIVATE_BYTES : 0;
  }

  start(): void {
    this.record(0, true);
    this.cowPeak = this.childBytes(true);
    this.hostPeak = this.run.usedMemoryRssBytes + this.cowPeak;
  }

  /** Steps from one sample time to the next and records the second. */
  sample(t0: number, t1: number): void {
    const T = this.run.durationSec;
    const alive = t1 <= T;
    const n = this.stepsPerSample;
    for (let k = 0; k < n; k++) {
      this.step(t0 + ((t1 - t0) * k) / n, t0 + ((t1 - t0) * (k + 1)) / n, alive);
    }
    if (t1 === T) {
      this.exit.cowBytes = this.childBytes(true);
      this.exit.copiedPages = this.tracker.copiedPages();
      this.exit.writes = this.writesServed;
      this.exit.writesOffered = this.writesOffered;
    }
    this.hostPeak = Math.max(this.hostPeak, this.parentBytes());
    this.record(t1, alive);
  }

  private step(a: number, b: number, alive: boolean): void {
    const { run, tracker } = this;
    const mix = run.writeMix;
    const T = run.durationSec;
    const dt = b - a;
    const offered = offeredWritesBetween(run.load, a, b);
    const rate = Math.min(dt > 0 ? offered / dt : 0, alive ? this.capacityWithChild() : 1e6 / run.serviceUsecPerWrite);
    const served = rate * dt;
    this.writesServed += served;
    this.writesOffered += offered;
    this.insertedBytes += served * mix.insertShare * run.layout.perKeyUsableBytes;
    if (!alive) return;
    const faultsBefore = tracker.faults();
    this.overwrites += served * mix.overwriteShare;
    tracker.advance(served * mix.overwriteShare, served * mix.bucketShare, Math.min(1, a / T), Math.min(1, b / T));
    const stallMs = ((tracker.faults() - faultsBefore) * run.copyFaultUsec) / 1000;
    this.stallMsInterval += stallMs;
    this.stallMsTotal += stallMs;
    const cow = this.childBytes(true);
    this.cowPeak = Math.max(this.cowPeak, cow);
    this.hostPeak = Math.max(this.hostPeak, this.parentBytes() + cow);
  }

  /** One main thread: service time plus the marginal faults per write bound the rate. */
  private capacityWithChild(): number {
    const { run, overwrites } = this;
    const { model, distinctShare } = this.faultCost;
    const sequential = run.writeMix.sequential;
    const share = distinctShare(overwrites);
    const delta = Math.max(1, overwrites * 1e-3, run.keys * 1e-7);
    const faultsPerWrite =
      run.writeMix.overwriteShare * ((model.faults(distinctShare(overwrites + delta), sequential) - model.faults(share, sequential)) / delta);
    return 1e6 / (run.serviceUsecPerWrite + faultsPerWrite * run.copyFaultUsec);
  }

  private record(t: number, alive: boolean): void {
    const { series } = this;
    const cow = this.childBytes(alive);
    const parent = this.parentBytes();
    series.tSec.push(round(t, 6));
    series.copiedPages.push(Math.round(this.tracker.copiedPages()));
    series.cowBytes.push(Math.round(cow));
    series.parentRssBytes.push(Math.round(parent));
    series.childPrivateBytes.push(Math.round(cow));
    series.hostMemoryBytes.push(Math.round(parent + cow));
    series.writes.push(Math.round(this.writesServed));
    series.forkPerc.push(round(Math.min(100, (100 * t) / this.run.durationSec), 4));
    series.faultStallMs.push(round(this.stallMsInterval, 6));
    this.stallMsInterval = 0;
  }
}

export function runTimeline(run: ResolvedRun, tracker: CowTracker, faultCost: FaultCostModel, hooks: TimelineHooks = {}): Timeline {
  const times = run.sampling.timesSec;
  const stepper = new Stepper(run, tracker, faultCost);
  stepper.start();
  for (let s = 1; s < times.length; s++) {
    if (hooks.shouldCancel?.()) throw new EngineError('CANCELLED', 'simulation cancelled');
    const t1 = times[s]!;
    stepper.sample(times[s - 1]!, t1);
    hooks.onProgress?.(Math.min(1, t1 / times[times.length - 1]!));
  }
  return {
    series: stepper.series,
    cowPeakBytes: stepper.cowPeak,
    hostPeakBytes: stepper.hostPeak,
    exit: stepper.exit,
    faultStallMsTotal: stepper.stallMsTotal,
    distinctKeysWritten: faultCost.distinctShare(stepper.overwrites) * run.keys,
  };
}
