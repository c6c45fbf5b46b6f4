// The simulation as stages: resolve the scenario into a run, plan the fork event its trigger
// sets off, cost each fork, step the event on a copy-on-write tracker per child, and summarise
// what the timeline recorded.

import type { Scenario } from '../schemas/scenario.js';
import type { EngineResult } from '../schemas/result.js';
import { exactCowTracker } from './cow-exact.js';
import { ExpectedCow, expectedCowTracker, TabulatedExpectedCow } from './cow-expected.js';
import type { CowTracker } from './cow-tracker.js';
import { EngineError } from './errors.js';
import { planForkEvent, type ForkEvent } from './fork-event.js';
import { forkCost, type ForkCost } from './fork-cost.js';
import { EXACT_MAX_WRITES } from './limits.js';
import { datasetExpiry, type ExpiryModel } from './expiry.js';
import type { MemoryBeside } from './memory-parts.js';
import { simulatePageCache } from './page-cache.js';
import { forkPageTableBytes } from './page-tables.js';
import { resolveRun, type ResolvedRun } from './resolve.js';
import { eventSampling } from './sampling.js';
import { summarize } from './summary.js';
import { compositeFaultCost, compositeTracker, feedOf, type SegmentFeed } from './cow-composite.js';
import type { RedisLayout } from './layout.js';
import { keyspaceFaultCost, runTimeline, type FaultCostModel, type TimelineHooks } from './timeline.js';
import { distinctShareCurve, type DistinctShareCurve, type WriteMix } from './write-mix.js';

export type SimulateHooks = TimelineHooks;

/** One keyspace the writes rewrite: the whole dataset, or one segment with its feed. */
interface Keyspace {
  layout: RedisLayout;
  writeMix: WriteMix;
  feed: SegmentFeed;
}

/** The analytic model of one keyspace over a child's life. */
interface Analytic {
  keyspace: Keyspace;
  model: ExpectedCow;
  distinctShare: DistinctShareCurve;
}

function keyspaces(run: ResolvedRun): Keyspace[] {
  if (run.dataset === null) return [{ layout: run.layout, writeMix: run.writeMix, feed: { commandShare: 1, unitWritesPerCommand: 1, bucketWritesPerCommand: 0 } }];
  return run.dataset.segments.map((s) => ({ layout: s.layout, writeMix: s.writeMix, feed: feedOf(s) }));
}

function analyticModels(run: ResolvedRun, longestLifeSec: number): Analytic[] {
  const config = { dismiss: run.dismiss, copyHugePages: run.copyHugePages };
  return keyspaces(run).map((keyspace) => {
    const { feed } = keyspace;
    const share = run.dataset === null ? 1 : feed.commandShare * feed.unitWritesPerCommand;
    return {
      keyspace,
      // Segments ask for their curves many times a step: tabulated, to keep 20 segments cheap.
      model: run.dataset === null ? new ExpectedCow(keyspace.layout, config) : new TabulatedExpectedCow(keyspace.layout, config),
      // Tabulated a little past the most overwrites the peak offered rate could bring.
      distinctShare: distinctShareCurve(keyspace.writeMix, run.load.peakWritesPerSec * share * longestLifeSec * 1.01 + 2),
    };
  });
}

/** The main thread's fault cost: the one keyspace's, or the segments' summed. */
function faultCostModel(run: ResolvedRun, analytic: readonly Analytic[]): FaultCostModel {
  const costs = analytic.map((a) => ({ feed: a.keyspace.feed, cost: keyspaceFaultCost(a.model, a.distinctShare, a.keyspace.writeMix.sequential, a.keyspace.layout.keys) }));
  return run.dataset === null ? costs[0]!.cost : compositeFaultCost(costs);
}

function trackerFactory(run: ResolvedRun, analytic: readonly Analytic[]): (child: number) => CowTracker {
  const config = { dismiss: run.dismiss, copyHugePages: run.copyHugePages };
  // Each fork's writes are drawn afresh; the first child keeps the scenario's seed.
  const one = (a: Analytic, i: number, child: number): CowTracker =>
    run.mode === 'exact'
      ? exactCowTracker(a.keyspace.layout, config, a.keyspace.writeMix, (run.seed + child + SEGMENT_SEED_STRIDE * i) >>> 0)
      : expectedCowTracker(a.model, a.distinctShare, a.keyspace.writeMix.sequential);
  if (run.dataset === null) return (child) => one(analytic[0]!, 0, child);
  return (child) => compositeTracker(analytic.map((a, i) => ({ feed: a.keyspace.feed, tracker: one(a, i, child) })));
}

/** Segments draw their writes from seeds apart (the golden ratio's 32-bit constant). */
const SEGMENT_SEED_STRIDE = 0x9e3779b9;

/** Exact mode walks every write of every child. */
function checkExactWrites(run: ResolvedRun, event: ForkEvent): void {
  if (run.mode !== 'exact') return;
  const offered = event.children.reduce((sum, c) => sum + run.load.peakWritesPerSec * (c.endSec - c.startSec), 0);
  if (offered > EXACT_MAX_WRITES) {
    throw new EngineError('EXACT_TOO_LARGE', `exact mode walks every write: ${offered.toExponential(2)} writes in the children's lives exceed ${EXACT_MAX_WRITES.toExponential(0)}; use mode "expected"`, [
      'simulation',
      'mode',
    ]);
  }
}

/** Each fork's cost: the first as the scenario says, later ones after the child before them. */
function forkCosts(run: ResolvedRun, event: ForkEvent): ForkCost[] {
  return event.children.map((child, i) => {
    if (i === 0) return forkCost(run);
    const before = event.children[i - 1]!;
    return forkCost({ ...run, previousFork: { secondsSince: child.startSec - before.startSec, childSec: before.endSec - before.startSec } });
  });
}

/** The files the event's saves write, in the page cache until the tail's end. */
function pageCache(run: ResolvedRun, event: ForkEvent, untilSec: number, stepSec: number): MemoryBeside['pageCache'] {
  const cache = simulatePageCache({
    children: event.children,
    rdbBytes: run.rdbBytes,
    saveDurationSec: run.durationSec,
    onTmpfs: run.rdbOnTmpfs,
    incrementalFsync: run.incrementalFsync,
    cachedAtForkBytes: run.host.pageCacheAtForkBytes,
    // An AOF rewrite runs with appendonly on: every write is appended meanwhile.
    appendBytesPerSec: run.trigger === 'aof-rewrite' ? run.load.writesPerSec * run.bytesPerWrite : 0,
    horizonSec: untilSec,
    // The series' own step: finer steps would not be seen.
    stepSec,
  });
  return { cached: cache.cached, shmem: cache.shmem, dirty: cache.dirty };
}

function memoryBeside(run: ResolvedRun, event: ForkEvent, untilSec: number, stepSec: number): MemoryBeside {
  return {
    replicationBuffer: event.replicationBuffer,
    aofParentBuffer: event.aofParentBuffer,
    aofChildDiff: event.aofChildDiff,
    pageCache: pageCache(run, event, untilSec, stepSec),
    replica: event.replicaMemory,
    pageTableBytes: forkPageTableBytes({ smallMappedBytes: run.smallMappedBytes, hugeMappedBytes: run.hugeMappedBytes }),
  };
}

/**
 * Each child's tracker with the copies of the keys that expire while it lives: from its fork,
 * the deletes since then (the progress the timeline passes maps back to time over its life).
 */
function withExpiry(run: ResolvedRun, event: ForkEvent, expiry: ExpiryModel | null, trackers: (child: number) => CowTracker): (child: number) => CowTracker {
  if (expiry === null) return trackers;
  return (child) => {
    const inner = trackers(child);
    const { startSec, lifeSec } = event.children[child]!;
    const atFork = expiry.expiredBy(startSec);
    let pages = 0;
    return {
      advance(overwrites, bucketWrites, savedFrom, savedTo) {
        inner.advance(overwrites, bucketWrites, savedFrom, savedTo);
        const deletes = expiry.pagesFor(expiry.expiredBy(startSec + savedTo * lifeSec) - atFork);
        // Entry pages the writes have already copied are not copied twice: the writes' share
        // of the heap, taken as spread evenly over it.
        const copiedByWrites = Math.min(1, inner.copiedPages() / run.layout.heapPages);
        pages = deletes.bucketPages + deletes.entryPages * (1 - copiedByWrites) + deletes.metadataPages;
      },
      copiedPages: () => inner.copiedPages() + pages,
      heldPages: () => inner.heldPages() + pages,
      faults: () => inner.faults() + pages,
    };
  };
}

function expiryOf(run: ResolvedRun, scenario: Scenario, horizonSec: number): ExpiryModel | null {
  if (run.dataset === null) return null;
  const ttls = (scenario.dataset.segments ?? []).map((s) => (s.ttl ? { share: s.ttl.share, fromSec: s.ttl.remainingSec.from, toSec: s.ttl.remainingSec.to } : null));
  return datasetExpiry({ dataset: run.dataset, ttls, hz: run.hz, horizonSec });
}

/** The run's series and summary; the advice, which re-runs this, is added above the engine. */
export function simulate(scenario: Scenario, hooks: SimulateHooks = {}): EngineResult {
  const run = resolveRun(scenario);
  const event = planForkEvent(run);
  checkExactWrites(run, event);
  const analytic = analyticModels(run, Math.max(run.durationSec, ...event.children.map((c) => c.endSec - c.startSec)));
  const boundaries = event.children.flatMap((c) => [c.startSec, c.endSec]);
  const { simulation } = run;
  const samples = eventSampling([...boundaries, event.endSec], event.endSec, simulation.intervalSec, simulation.maxPoints);
  const beside = memoryBeside(run, event, samples.timesSec.at(-1)!, samples.intervalSec);
  const trackers = withExpiry(run, event, expiryOf(run, scenario, samples.timesSec.at(-1)!), trackerFactory(run, analytic));
  const timeline = runTimeline(run, event, samples.timesSec, trackers, faultCostModel(run, analytic), beside, hooks);
  return { summary: summarize(run, forkCosts(run, event), event, timeline, samples.intervalSec, scenario), series: timeline.series };
}
