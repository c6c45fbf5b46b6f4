// Fork time predicted from the host's own forks: each run's fork is predicted with a preset
// calibrated on the other runs of the same validate pass (leave-one-out), so the check says
// how well the fork model — write-protected vs writable entries, 4 KiB vs huge pages — carries
// from some forks of a host to another, whatever the host, without scoring a run on itself.
import { simulate } from '../engine/simulate.js';
import { CalibrationRequestSchema, type CalibrationObservationInput } from '../schemas/calibration.js';
import { ScenarioSchema, type Scenario } from '../schemas/scenario.js';
import { calibrate } from './calibrate.js';

/** Fewer other runs than this say too little about the host. */
export const MIN_OTHER_RUNS = 2;

export interface HostFitRun {
  observation: CalibrationObservationInput;
  scenario: Scenario;
}

/** Predicted latest_fork_usec per run, or null where too few other runs were measured. */
export function leaveOneOutForkUsec(runs: readonly HostFitRun[]): Array<number | null> {
  return runs.map((run, i) => {
    const others = runs.filter((_, j) => j !== i).map((r) => r.observation);
    if (others.length < MIN_OTHER_RUNS) return null;
    const { scenarioKernel } = calibrate(CalibrationRequestSchema.parse({ observations: others }));
    const scenario = ScenarioSchema.parse({
      ...run.scenario,
      kernel: {
        ...run.scenario.kernel,
        forkUsecPerGiB: scenarioKernel.forkUsecPerGiB,
        forkWritableUsecPerGiB: scenarioKernel.forkWritableUsecPerGiB,
        forkUsecPerGiBHuge: scenarioKernel.forkUsecPerGiBHuge,
      },
    });
    return simulate(scenario).summary.latestForkUsec;
  });
}
