// The simulation as stages: resolve the scenario into a run, cost its fork, step the child's
// lifetime on a copy-on-write tracker, and summarise what the timeline recorded.

import type { Scenario } from '../schemas/scenario.js';
import type { SimulationResult } from '../schemas/result.js';
import { exactCowTracker } from './cow-exact.js';
import { ExpectedCow, expectedCowTracker } from './cow-expected.js';
import type { CowTracker } from './cow-tracker.js';
import { forkCost } from './fork-cost.js';
import { resolveRun, type ResolvedRun } from './resolve.js';
import { summarize } from './summary.js';
import { runTimeline, type FaultCostModel, type TimelineHooks } from './timeline.js';
import { distinctShareCurve } from './write-mix.js';

export type SimulateHooks = TimelineHooks;

/** The analytic model over the run's horizon: the expected tracker and the main thread's fault cost. */
function faultCostModel(run: ResolvedRun): FaultCostModel {
  return {
    model: new ExpectedCow(run.layout, { dismiss: run.dismiss, copyHugePages: run.copyHugePages }),
    // Tabulated a little past the most overwrites the peak offered rate could bring.
    distinctShare: distinctShareCurve(run.writeMix, run.load.peakWritesPerSec * run.durationSec * 1.01 + 2),
  };
}

function cowTracker(run: ResolvedRun, analytic: FaultCostModel): CowTracker {
  if (run.mode === 'exact') {
    return exactCowTracker(run.layout, { dismiss: run.dismiss, copyHugePages: run.copyHugePages }, run.writeMix, run.seed);
  }
  return expectedCowTracker(analytic.model, analytic.distinctShare, run.writeMix.sequential);
}

export function simulate(scenario: Scenario, hooks: SimulateHooks = {}): SimulationResult {
  const run = resolveRun(scenario);
  const analytic = faultCostModel(run);
  const timeline = runTimeline(run, cowTracker(run, analytic), analytic, hooks);
  return { summary: summarize(run, forkCost(run), timeline, scenario), series: timeline.series };
}
