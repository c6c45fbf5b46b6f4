// The summary of a run, named after the Redis INFO fields it forecasts, read off the resolved
// run, the fork cost and the recorded timeline; beside it the OOM verdict against the host's
// limit, the reserve a rule of thumb would have kept, and the scenario as resolved.

import type { Scenario } from '../schemas/scenario.js';
import type { ForkRateGrade, Summary } from '../schemas/result.js';
import type { ForkCost } from './fork-cost.js';
import { round } from './numbers.js';
import type { ResolvedRun } from './resolve.js';
import type { Timeline } from './timeline.js';

/** AWS ElastiCache reserved-memory-percent default. */
const AWS_RESERVE_PERCENT = 25;

/** LATENCY DOCTOR's fork-rate advice thresholds (src/latency.c), GB/s. */
export function forkRateGrade(gbPerSec: number): ForkRateGrade {
  if (gbPerSec < 10) return 'terrible';
  if (gbPerSec < 25) return 'poor';
  if (gbPerSec < 100) return 'good';
  return 'excellent';
}

/** The scenario with every default and derived input filled in, as the summary echoes it. */
export function resolvedScenario(scenario: Scenario, run: ResolvedRun): Scenario {
  return {
    ...scenario,
    // Keys, not used memory: re-submitting the resolved scenario gives the same result.
    dataset: { keys: run.keys, valueBytes: scenario.dataset.valueBytes, keyBytes: scenario.dataset.keyBytes },
    allocator: { fragmentationRatio: run.fragmentationRatio },
    snapshot: { ...scenario.snapshot, durationSec: run.durationSec },
    kernel: {
      ...scenario.kernel,
      forkUsecPerGiB: round(run.forkCosts.wpUsecPerGiB, 3),
      forkWritableUsecPerGiB: round(run.forkCosts.writableUsecPerGiB, 3),
      forkUsecPerGiBHuge: round(run.forkCosts.hugeWpUsecPerGiB, 3),
      cowFaultUsec: round(run.cowFaultUsec, 3),
    },
    simulation: { ...scenario.simulation, sampleIntervalSec: round(run.sampling.intervalSec, 6) },
  };
}

/** Peak host memory against the limit, and the 25% reserve against the peak copy-on-write. */
function memoryVerdicts(run: ResolvedRun, timeline: Timeline): Pick<Summary, 'oom' | 'cloudReserve'> {
  const limit = run.hostMemoryBytes;
  const hostPeak = timeline.hostPeakBytes;
  const reserveBytes = limit === null ? null : (limit * AWS_RESERVE_PERCENT) / 100;
  return {
    oom: {
      limitBytes: limit,
      headroomBytes: limit === null ? null : Math.round(limit - hostPeak),
      atRisk: limit === null ? null : hostPeak > limit,
    },
    cloudReserve: {
      rule: 'aws-elasticache-reserved-memory-percent',
      reservePercent: AWS_RESERVE_PERCENT,
      reserveBytes,
      coversPeakCow: reserveBytes === null ? null : reserveBytes >= timeline.cowPeakBytes,
    },
  };
}

export function summarize(run: ResolvedRun, fork: ForkCost, timeline: Timeline, scenario: Scenario): Summary {
  const usedMemory = run.usedMemoryBytes;
  const T = run.durationSec;
  const { cowPeakBytes: cowPeak, exit } = timeline;
  const forkRateGBps = usedMemory / 2 ** 30 / (fork.forkUsec / 1e6);
  const { oom, cloudReserve } = memoryVerdicts(run, timeline);
  return {
    keys: run.keys,
    usedMemoryBytes: usedMemory,
    usedMemoryRssBytes: run.usedMemoryRssBytes,
    latestForkUsec: Math.round(fork.forkUsec),
    forkWritableShare: round(fork.writableShare, 4),
    forkRateGBps: round(forkRateGBps, 3),
    forkRateGrade: forkRateGrade(forkRateGBps),
    rdbBgsaveTimeSec: round(T, 6),
    cowPeakBytes: Math.round(cowPeak),
    cowPeakPercentOfUsedMemory: round((100 * cowPeak) / usedMemory, 3),
    rdbLastCowSize: Math.round(run.lastCowSizeIsPeak ? cowPeak : exit.cowBytes),
    finalCowBytes: Math.round(exit.cowBytes),
    peakHostMemoryBytes: Math.round(timeline.hostPeakBytes),
    copiedPages: Math.round(exit.copiedPages),
    copyUnitBytes: run.copyUnitBytes,
    writes: Math.round(exit.writes),
    writesOffered: Math.round(exit.writesOffered),
    writesPerSecOffered: round(exit.writesOffered / T, 3),
    writesPerSecAchieved: round(exit.writes / T, 3),
    distinctKeysWritten: Math.round(timeline.distinctKeysWritten),
    faultStallMsTotal: round(timeline.faultStallMsTotal, 3),
    hugePagesActive: run.hugePagesActive,
    hugePageCoverage: round(fork.hugePageCoverage, 4),
    dismissActive: run.dismiss,
    oom,
    cloudReserve,
    scenario: resolvedScenario(scenario, run),
  };
}
