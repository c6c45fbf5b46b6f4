// A measured run as a calibration observation: its RSS, fork time, huge-page share, the share
// written since the previous fork and, where the run had writes, the parent's faults and
// system CPU.
import { forkWritableShare } from '../engine/fork-cost.js';
import type { CalibrationObservationInput } from '../schemas/calibration.js';
import { runUsedHugePages, scenarioFromRun } from './scenario-from-run.js';
import type { MeasuredRunView } from './schema.js';

export function observationFromRun(run: MeasuredRunView): CalibrationObservationInput {
  const { summary } = run;
  const huge = runUsedHugePages(run);
  const faults = summary.parent_minor_faults_during_snapshot;
  const cpu = summary.parent_system_cpu_seconds_during_snapshot;
  return {
    label: run.scenario.name,
    usedMemoryRssBytes: run.prefork.info.used_memory_rss,
    latestForkUsec: summary.fork_ms * 1000,
    // The engine's estimate from the writes between the previous fork and this one.
    writablePteShare: forkWritableShare(scenarioFromRun(run)),
    hugePages: huge,
    ...(huge && typeof summary.prefork_thp_coverage === 'number' ? { hugePageCoverage: summary.prefork_thp_coverage } : {}),
    ...(summary.writes_during_snapshot > 0 && typeof faults === 'number' && typeof cpu === 'number'
      ? { copyOnWriteFaults: faults, faultSystemCpuSec: cpu }
      : {}),
  };
}
