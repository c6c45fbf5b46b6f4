// The simulation as stages: resolve the scenario into a run, plan the fork event its trigger
// sets off, cost each fork, step the event on a copy-on-write tracker per child, and summarise
// what the timeline recorded.

import type { Scenario } from '../schemas/scenario.js';
import type { SimulationResult } from '../schemas/result.js';
import { exactCowTracker } from './cow-exact.js';
import { ExpectedCow, expectedCowTracker } from './cow-expected.js';
import type { CowTracker } from './cow-tracker.js';
import { EngineError } from './errors.js';
import { planForkEvent, type ForkEvent } from './fork-event.js';
import { forkCost, type ForkCost } from './fork-cost.js';
import { EXACT_MAX_WRITES } from './limits.js';
import type { MemoryBeside } from './memory-parts.js';
import { simulatePageCache } from './page-cache.js';
import { forkPageTableBytes } from './page-tables.js';
import { resolveRun, type ResolvedRun } from './resolve.js';
import { eventSampling } from './sampling.js';
import { summarize } from './summary.js';
import { runTimeline, type FaultCostModel, type TimelineHooks } from './timeline.js';
import { distinctShareCurve } from './write-mix.js';

export type SimulateHooks = TimelineHooks;

/** The analytic model over a child's life: the expected tracker and the main thread's fault cost. */
function faultCostModel(run: ResolvedRun, longestLifeSec: number): FaultCostModel {
  return {
    model: new ExpectedCow(run.layout, { dismiss: run.dismiss, copyHugePages: run.copyHugePages }),
    // Tabulated a little past the most overwrites the peak offered rate could bring.
    distinctShare: distinctShareCurve(run.writeMix, run.load.peakWritesPerSec * longestLifeSec * 1.01 + 2),
  };
}

function trackerFactory(run: ResolvedRun, analytic: FaultCostModel): (child: number) => CowTracker {
  const config = { dismiss: run.dismiss, copyHugePages: run.copyHugePages };
  // Each fork's writes are drawn afresh; the first child keeps the scenario's seed.
  if (run.mode === 'exact') return (child) => exactCowTracker(run.layout, config, run.writeMix, (run.seed + child) >>> 0);
  return () => expectedCowTracker(analytic.model, analytic.distinctShare, run.writeMix.sequential);
}

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

export function simulate(scenario: Scenario, hooks: SimulateHooks = {}): SimulationResult {
  const run = resolveRun(scenario);
  const event = planForkEvent(run);
  checkExactWrites(run, event);
  const analytic = faultCostModel(run, Math.max(run.durationSec, ...event.children.map((c) => c.endSec - c.startSec)));
  const boundaries = event.children.flatMap((c) => [c.startSec, c.endSec]);
  const { simulation } = run;
  const samples = eventSampling([...boundaries, event.endSec], event.endSec, simulation.intervalSec, simulation.maxPoints);
  const beside = memoryBeside(run, event, samples.timesSec.at(-1)!, samples.intervalSec);
  const timeline = runTimeline(run, event, samples.timesSec, trackerFactory(run, analytic), analytic, beside, hooks);
  return { summary: summarize(run, forkCosts(run, event), event, timeline, samples.intervalSec, scenario), series: timeline.series };
}
