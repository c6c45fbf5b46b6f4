import { describe, expect, it } from 'vitest';
import { scheduledScenarioFromRun } from '../../src/measured-run/scenario-from-run.js';
import { leaveOneOutForkUsec } from '../../src/calibration/host-fit.js';
import { observationFromRun } from '../../src/measured-run/observation-from-run.js';
import { measuredRuns } from '../support/ground-truth.js';

describe('leave-one-out fork prediction on the ground-truth runs', () => {
  const runs = measuredRuns();

  it('predicts each fork from the others about as well as the preset fitted on all of them', () => {
    const predicted = leaveOneOutForkUsec(runs.map((run) => ({ observation: observationFromRun(run), scenario: scheduledScenarioFromRun(run) })));
    const errors = predicted.map((p, i) => Math.abs(p! / (runs[i]!.summary.fork_ms * 1000) - 1)).sort((a, b) => a - b);
    expect(predicted.every((p) => p !== null && p > 0)).toBe(true);
    // Identical runs 03 and 15 forked in 121.9 and 42.6 ms: the median error is what can hold.
    expect(errors[errors.length >> 1]).toBeLessThan(0.4);
  });

  it('gives no prediction with fewer than two other runs', () => {
    const two = runs.slice(0, 2).map((run) => ({ observation: observationFromRun(run), scenario: scheduledScenarioFromRun(run) }));
    expect(leaveOneOutForkUsec(two)).toEqual([null, null]);
  });
});
