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

/** The series columns of one sample. */
function record(series: Series, t: number, copiedPages: number, parent: number, cow: number, writes: number, forkPerc: number, stallMs: number): void {
  series.tSec.push(round(t, 6));
  series.copiedPages.push(Math.round(copiedPages));
  series.cowBytes.push(Math.round(cow));
  series.parentRssBytes.push(Math.round(parent));
  series.childPrivateBytes.push(Math.round(cow));
  series.hostMemoryBytes.push(Math.round(parent + cow));
  series.writes.push(Math.round(writes));
  series.forkPerc.push(round(forkPerc, 4));
  series.faultStallMs.push(round(stallMs, 6));
}

export function runTimeline(run: ResolvedRun, tracker: CowTracker, faultCost: FaultCostModel, hooks: TimelineHooks = {}): Timeline {
  const times = run.sampling.timesSec;
  const T = run.durationSec;
  const { model, distinctShare } = faultCost;
  const { sequential, overwriteShare, bucketShare, insertShare } = run.writeMix;
  const rss = run.usedMemoryRssBytes;
  const series = emptySeries();
  const stepsPerSample = Math.max(1, Math.ceil(MIN_STEPS / Math.max(1, times.length)));
  const exit = { cowBytes: 0, copiedPages: 0, writes: 0, writesOffered: 0 };
  let writesServed = 0;
  let writesOffered = 0;
  let overwrites = 0;
  let insertedBytes = 0;
  let stallMsInterval = 0;
  let stallMsTotal = 0;

  // The memory parts: the parent, grown by inserts, and the child while it lives.
  const parentBytes = () => rss + insertedBytes;
  const childBytes = (alive: boolean) => (alive ? tracker.heldPages() * PAGE_BYTES + CHILD_BASELINE_PRIVATE_BYTES : 0);
  const sample = (t: number, alive: boolean) => {
    record(series, t, tracker.copiedPages(), parentBytes(), childBytes(alive), writesServed, Math.min(100, (100 * t) / T), stallMsInterval);
    stallMsInterval = 0;
  };
  // One main thread: service time plus the marginal faults per write, from the analytic model.
  const capacityWithChild = () => {
    const share = distinctShare(overwrites);
    const delta = Math.max(1, overwrites * 1e-3, run.keys * 1e-7);
    const faultsPerWrite = overwriteShare * ((model.faults(distinctShare(overwrites + delta), sequential) - model.faults(share, sequential)) / delta);
    return 1e6 / (run.serviceUsecPerWrite + faultsPerWrite * run.copyFaultUsec);
  };

  sample(0, true);
  let cowPeak = childBytes(true);
  let hostPeak = rss + cowPeak;
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
      const rate = Math.min(dt > 0 ? offered / dt : 0, alive ? capacityWithChild() : 1e6 / run.serviceUsecPerWrite);
      const served = rate * dt;
      writesServed += served;
      writesOffered += offered;
      insertedBytes += served * insertShare * run.layout.perKeyUsableBytes;
      if (!alive) continue;
      const faultsBefore = tracker.faults();
      overwrites += served * overwriteShare;
      tracker.advance(served * overwriteShare, served * bucketShare, Math.min(1, a / T), Math.min(1, b / T));
      const stallMs = ((tracker.faults() - faultsBefore) * run.copyFaultUsec) / 1000;
      stallMsInterval += stallMs;
      stallMsTotal += stallMs;
      const cow = childBytes(true);
      cowPeak = Math.max(cowPeak, cow);
      hostPeak = Math.max(hostPeak, parentBytes() + cow);
    }
    if (t1 === T) {
      exit.cowBytes = childBytes(true);
      exit.copiedPages = tracker.copiedPages();
      exit.writes = writesServed;
      exit.writesOffered = writesOffered;
    }
    hostPeak = Math.max(hostPeak, parentBytes());
    sample(t1, alive);
    hooks.onProgress?.(Math.min(1, t1 / times[times.length - 1]!));
  }
  return {
    series,
    cowPeakBytes: cowPeak,
    hostPeakBytes: hostPeak,
    exit,
    faultStallMsTotal: stallMsTotal,
    distinctKeysWritten: distinctShare(overwrites) * run.keys,
  };
}
