// The fork event stepped in time, and a short tail after it. Each step the parent's main
// thread serves as many of the offered writes as one core allows once copy-on-write faults
// are paid for; while a child lives its tracker marks the pages the writes touch and the child
// saves its share of the keys (releasing dismissed values on Redis 7). Every child starts from
// a fresh fork: nothing copied. Each sample records the memory parts — the parent with the
// buffers it holds, the child, the page cache — and the peaks are kept step by step.

import type { Series } from '../schemas/result.js';
import type { ExpectedCow } from './cow-expected.js';
import type { CowTracker } from './cow-tracker.js';
import { containerCharge } from './container-memory.js';
import { EngineError } from './errors.js';
import type { ChildPlan, ForkEvent } from './fork-event.js';
import { PAGE_BYTES } from './jemalloc.js';
import { type MemoryBeside, type MemoryParts, memoryParts } from './memory-parts.js';
import { round } from './numbers.js';
import { offeredWritesBetween } from './offered-load.js';
import { CHILD_BASELINE_PRIVATE_BYTES, type ResolvedRun } from './resolve.js';
import type { DistinctShareCurve } from './write-mix.js';

/** Integration steps over the event, whatever the number of output points. */
const MIN_STEPS = 4000;

export interface TimelineHooks {
  /** Called with the share of simulated time done, 0–1. */
  onProgress?: (fraction: number) => void;
  /** Polled between samples; true stops the run with a CANCELLED error. */
  shouldCancel?: () => boolean;
}

/**
 * The analytic model the main thread's fault cost is read from, whichever tracker runs: the
 * faults after so many overwrites, whose slope is the marginal cost of one more.
 */
export interface FaultCostModel {
  faultsAt(overwrites: number): number;
  /** Expected distinct write units overwritten after so many overwrites, for the summary. */
  distinctUnits(overwrites: number): number;
  /** No overwrite adds more faults than this: the slope at the fork, where it is steepest. */
  maxFaultsPerOverwrite: number;
}

/** The fault cost of one keyspace: the analytic model along its distinct-share curve. */
export function keyspaceFaultCost(model: ExpectedCow, distinctShare: DistinctShareCurve, sequential: boolean, keys: number): FaultCostModel {
  return {
    faultsAt: (overwrites) => model.faults(distinctShare(overwrites), sequential),
    distinctUnits: (overwrites) => distinctShare(overwrites) * keys,
    // One overwrite reaches at most one more distinct key: Σ p_k(1 − p_k)^W ≤ 1 new keys per write.
    maxFaultsPerOverwrite: model.initialFaultsPerShare(sequential) / keys,
  };
}

/** What one child went through, from its fork to its exit. */
export interface ChildRecord {
  cowPeakBytes: number;
  /** At its exit. */
  cowBytes: number;
  copiedPages: number;
  /** Writes served and offered while it lived. */
  writes: number;
  writesOffered: number;
  faultStallMs: number;
  distinctKeysWritten: number;
}

/** What the stepping recorded: the series, and the figures the summary is made of. */
export interface Timeline {
  series: Series;
  /** Child Private_Dirty and parent + child, peaks over every step. */
  cowPeakBytes: number;
  hostPeakBytes: number;
  /** The first child's, at its exit. */
  exit: { cowBytes: number; copiedPages: number; writes: number; writesOffered: number };
  faultStallMsTotal: number;
  /** Expected distinct keys the first child saw overwritten. */
  distinctKeysWritten: number;
  children: ChildRecord[];
  /** The step where the memory the limit must hold was largest, and what it held then. */
  limitPeak: { tSec: number; parts: MemoryParts };
  /** Peak of what the container's charge shows (page cache included), of the unreclaimable part, of the cache. */
  containerUsagePeakBytes: number;
  unreclaimablePeakBytes: number;
  pageCachePeakBytes: number;
  /** One replica's used memory at its peak; null without replicas. */
  replicaPeakBytes: number | null;
  /** First moment the memory the limit must hold passed it; null when never or without a limit. */
  firstExceededAtSec: number | null;
}

/** The sampled columns of the series (every one but the event list). */
type Columns = Record<Exclude<keyof Series, 'events'>, Float64Array>;

/**
 * One preallocated row per sample. Typed columns keep every value a double from the start:
 * arrays grown by push start as small integers, and byte counts that outgrow them change the
 * arrays' element kind mid-run, which sends the JIT back to recompile the recording code.
 */
function sampleColumns(rows: number, withReplica: boolean): Columns {
  const column = () => new Float64Array(rows);
  return {
    tSec: column(),
    copiedPages: column(),
    cowBytes: column(),
    parentRssBytes: column(),
    childPrivateBytes: column(),
    hostMemoryBytes: column(),
    writes: column(),
    forkPerc: column(),
    faultStallMs: column(),
    replicationBufferBytes: column(),
    aofRewriteBufferBytes: column(),
    pageCacheBytes: column(),
    ...(withReplica ? { replicaMemoryBytes: column() } : {}),
  } as Columns;
}

/** The series as the result carries it: plain arrays, and the events. */
function toSeries(columns: Columns, rows: number, events: Series['events']): Series {
  const series: Partial<Series> = {};
  for (const [name, values] of Object.entries(columns) as Array<[keyof Columns, Float64Array]>) series[name] = toArray(values, rows);
  series.events = events;
  return series as Series;
}

// A plain loop into a sized array: several times faster than Array.from's iteration.
function toArray(values: Float64Array, rows: number): number[] {
  const out = new Array<number>(rows);
  for (let i = 0; i < rows; i++) out[i] = values[i]!;
  return out;
}

/** The series columns of one sample, in row `row`. */
function record(c: Columns, row: number, t: number, copiedPages: number, parts: MemoryParts, writes: number, forkPerc: number, stallMs: number): void {
  c.tSec[row] = round(t, 6);
  c.copiedPages[row] = Math.round(copiedPages);
  c.cowBytes[row] = Math.round(parts.childBytes);
  c.parentRssBytes[row] = Math.round(parts.parentBytes);
  c.childPrivateBytes[row] = Math.round(parts.childBytes);
  c.hostMemoryBytes[row] = Math.round(parts.parentBytes + parts.childBytes);
  c.writes[row] = Math.round(writes);
  c.forkPerc[row] = round(forkPerc, 4);
  c.faultStallMs[row] = round(stallMs, 6);
  c.replicationBufferBytes[row] = Math.round(parts.replicationBufferBytes);
  c.aofRewriteBufferBytes[row] = Math.round(parts.aofRewriteBufferBytes);
  c.pageCacheBytes[row] = Math.round(parts.pageCacheBytes);
  if (c.replicaMemoryBytes) c.replicaMemoryBytes[row] = Math.round(parts.replicaBytes);
}

/** The child alive over [a, b], if any: children never overlap. */
function childOver(children: readonly ChildPlan[], a: number, b: number): number {
  for (let i = 0; i < children.length; i++) if (children[i]!.startSec <= a && b <= children[i]!.endSec) return i;
  return -1;
}

export function runTimeline(
  run: ResolvedRun,
  event: ForkEvent,
  times: readonly number[],
  trackerFor: (child: number) => CowTracker,
  faultCost: FaultCostModel,
  beside: MemoryBeside,
  hooks: TimelineHooks = {},
): Timeline {
  const { overwriteShare, bucketShare, insertShare } = run.writeMix;
  const { children } = event;
  const columns = sampleColumns(times.length, beside.replica !== null);
  let rows = 0;
  const stepsPerSample = Math.max(1, Math.ceil(MIN_STEPS / Math.max(1, times.length)));
  const records: ChildRecord[] = [];
  let writesServed = 0;
  let writesOffered = 0;
  let insertedBytes = 0;
  let stallMsInterval = 0;
  let stallMsTotal = 0;
  // The child alive now, its tracker, and what it has seen.
  let current = -1;
  let tracker: CowTracker | null = null;
  let overwrites = 0;
  let lastPercent = 0;

  const held = (alive: boolean) => (alive && tracker ? tracker.heldPages() * PAGE_BYTES + CHILD_BASELINE_PRIVATE_BYTES : 0);
  const parts = (t: number, alive: boolean) => memoryParts(run, beside, t, insertedBytes, held(alive), alive);
  // Percent of the current child's save done; the last child's once none lives.
  const percentOf = (t: number) => (current < 0 ? lastPercent : Math.min(100, (100 * (t - children[current]!.startSec)) / children[current]!.lifeSec));
  const sample = (t: number, alive: boolean) => {
    record(columns, rows++, t, tracker?.copiedPages() ?? 0, parts(t, alive), writesServed, alive ? percentOf(t) : lastPercent, stallMsInterval);
    stallMsInterval = 0;
  };
  // One main thread: service time plus the marginal faults per write, from the analytic model.
  const capacityWithChild = () => {
    const now = faultCost.faultsAt(overwrites);
    const delta = Math.max(1, overwrites * 1e-3, run.keys * 1e-7);
    const faultsPerWrite = overwriteShare * ((faultCost.faultsAt(overwrites + delta) - now) / delta);
    return 1e6 / (run.serviceUsecPerWrite + faultsPerWrite * run.copyFaultUsec);
  };
  // A rate one core serves even at the steepest fault cost is served whole, without reading
  // the slope. The 1% covers the initial slope's secant (≤ 1e-4 short) and the curves' rounding.
  const servedWholeAtForkPerSec = 1e6 / (run.serviceUsecPerWrite + overwriteShare * faultCost.maxFaultsPerOverwrite * 1.01 * run.copyFaultUsec);
  // The faults per overwrite only fall while a child lives (a page copied once is not copied
  // again: the faults are concave in the overwrites), so a capacity once reached stays
  // reached until it exits, and a rate at or below it is served whole without reading the slope.
  let servedWholeBelowPerSec = servedWholeAtForkPerSec;
  const startChild = (i: number) => {
    current = i;
    tracker = trackerFor(i);
    overwrites = 0;
    servedWholeBelowPerSec = servedWholeAtForkPerSec;
    records[i] = { cowPeakBytes: held(true), cowBytes: 0, copiedPages: 0, writes: -writesServed, writesOffered: -writesOffered, faultStallMs: 0, distinctKeysWritten: 0 };
  };
  const endChild = () => {
    const r = records[current]!;
    r.cowBytes = held(true);
    r.copiedPages = tracker!.copiedPages();
    r.writes += writesServed;
    r.writesOffered += writesOffered;
    r.distinctKeysWritten = faultCost.distinctUnits(overwrites);
    lastPercent = percentOf(children[current]!.endSec);
    current = -1;
  };

  const limit = run.host.memoryBytes;
  let cowPeak = 0;
  let hostPeak = 0;
  let limitPeak = { tSec: 0, parts: parts(0, false) };
  let usagePeak = 0;
  let unreclaimablePeak = 0;
  let cachePeak = 0;
  let replicaPeak = 0;
  let firstExceededAtSec: number | null = null;
  // A container's limit makes the kernel reclaim clean cache first; a VM's is not a charge.
  const charge = containerCharge(run.host.kind === 'container' ? limit : null);
  const notePeaks = (t: number, p: MemoryParts) => {
    // Dirty pages wait for writeback before reclaim can take them.
    const usage = charge(p.unreclaimableBytes + p.dirtyBytes, p.pageCacheBytes - p.shmemBytes - p.dirtyBytes).usageBytes;
    cowPeak = Math.max(cowPeak, p.childBytes);
    hostPeak = Math.max(hostPeak, p.parentBytes + p.childBytes);
    if (p.limitBytes > limitPeak.parts.limitBytes) limitPeak = { tSec: t, parts: p };
    usagePeak = Math.max(usagePeak, usage);
    unreclaimablePeak = Math.max(unreclaimablePeak, p.unreclaimableBytes);
    cachePeak = Math.max(cachePeak, p.pageCacheBytes);
    replicaPeak = Math.max(replicaPeak, p.replicaBytes);
    if (firstExceededAtSec === null && limit !== null && p.limitBytes > limit) firstExceededAtSec = t;
  };

  if (children[0]?.startSec === 0) startChild(0);
  sample(0, current >= 0);
  notePeaks(0, parts(0, current >= 0));
  for (let s = 1; s < times.length; s++) {
    if (hooks.shouldCancel?.()) throw new EngineError('CANCELLED', 'simulation cancelled');
    const t0 = times[s - 1]!;
    const t1 = times[s]!;
    if (current < 0) {
      const next = childOver(children, t0, t1);
      if (next >= 0 && children[next]!.startSec === t0) startChild(next);
    }
    const alive = current >= 0 && t1 <= children[current]!.endSec;
    for (let k = 0; k < stepsPerSample; k++) {
      const a = t0 + ((t1 - t0) * k) / stepsPerSample;
      const b = t0 + ((t1 - t0) * (k + 1)) / stepsPerSample;
      const dt = b - a;
      const offered = offeredWritesBetween(run.load, a, b);
      const offeredRate = dt > 0 ? offered / dt : 0;
      let capacity: number;
      if (!alive) capacity = 1e6 / run.serviceUsecPerWrite;
      else if (offeredRate <= servedWholeBelowPerSec) capacity = offeredRate;
      else {
        capacity = capacityWithChild();
        if (capacity > servedWholeBelowPerSec) servedWholeBelowPerSec = capacity;
      }
      const rate = Math.min(offeredRate, capacity);
      const served = rate * dt;
      writesServed += served;
      writesOffered += offered;
      insertedBytes += served * insertShare * run.layout.perKeyUsableBytes;
      if (!alive) {
        notePeaks(b, parts(b, false));
        continue;
      }
      const life = children[current]!;
      const faultsBefore = tracker!.faults();
      overwrites += served * overwriteShare;
      tracker!.advance(served * overwriteShare, served * bucketShare, Math.min(1, (a - life.startSec) / life.lifeSec), Math.min(1, (b - life.startSec) / life.lifeSec));
      const stallMs = ((tracker!.faults() - faultsBefore) * run.copyFaultUsec) / 1000;
      stallMsInterval += stallMs;
      stallMsTotal += stallMs;
      records[current]!.faultStallMs += stallMs;
      const p = parts(b, true);
      records[current]!.cowPeakBytes = Math.max(records[current]!.cowPeakBytes, p.childBytes);
      notePeaks(b, p);
    }
    sample(t1, alive);
    if (current >= 0 && t1 >= children[current]!.endSec) endChild();
    hooks.onProgress?.(Math.min(1, t1 / times[times.length - 1]!));
  }
  if (current >= 0) endChild();
  const first = records[0];
  return {
    series: toSeries(columns, rows, [...event.events]),
    cowPeakBytes: cowPeak,
    hostPeakBytes: hostPeak,
    exit: first
      ? { cowBytes: first.cowBytes, copiedPages: first.copiedPages, writes: first.writes, writesOffered: first.writesOffered }
      : { cowBytes: 0, copiedPages: 0, writes: 0, writesOffered: 0 },
    faultStallMsTotal: stallMsTotal,
    distinctKeysWritten: first?.distinctKeysWritten ?? 0,
    children: records,
    limitPeak,
    containerUsagePeakBytes: usagePeak,
    unreclaimablePeakBytes: unreclaimablePeak,
    pageCachePeakBytes: cachePeak,
    replicaPeakBytes: beside.replica === null ? null : replicaPeak,
    firstExceededAtSec,
  };
}
