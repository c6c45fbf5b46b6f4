// The summary of a run, named after the Redis INFO fields it forecasts, read off the resolved
// run, the fork cost and the recorded timeline; beside it the OOM verdict against the host's
// limit, the reserves the cloud rules of thumb would have kept, the warnings, and the scenario
// as resolved.

import type { Scenario } from '../schemas/scenario.js';
import type { EngineSummary, ForkRateGrade, ReserveRule, Summary } from '../schemas/result.js';
import type { ForkCost } from './fork-cost.js';
import type { ForkEvent } from './fork-event.js';
import { round } from './numbers.js';
import type { ResolvedRun } from './resolve.js';
import type { Timeline } from './timeline.js';
import { verdictOf } from './verdict.js';
import { runWarnings } from './warnings.js';
import { PAGE_BYTES } from './jemalloc.js';

/** AWS ElastiCache reserved-memory-percent default. */
const AWS_RESERVE_PERCENT = 25;

/** The cloud rules of thumb, each as its provider states it. */
const RESERVE_RULES: ReadonlyArray<Omit<ReserveRule, 'reserveBytes' | 'coversPeakCow'>> = [
  {
    rule: 'aws-elasticache-reserved-memory-percent',
    label: 'AWS ElastiCache: reserved-memory-percent 25%',
    reservePercent: AWS_RESERVE_PERCENT,
    source: 'AWS ElastiCache best practices, “Managing reserved memory”: 25% recommended, the default of current parameter groups',
  },
  {
    rule: 'azure-cache-maxmemory-reserved',
    label: 'Azure Cache for Redis: maxmemory-reserved 10% + maxfragmentationmemory-reserved 10%',
    reservePercent: 20,
    source: 'Azure Cache for Redis, “Best practices for memory management”: about 10% of memory each by default',
  },
  {
    rule: 'gcp-memorystore-export-maxmemory',
    label: 'GCP Memorystore: maxmemory at most 50% of capacity during an export under writes',
    reservePercent: 50,
    source: 'Memorystore for Redis “General best practices”, RDB export: set maxmemory to 50% of capacity when exporting at a high write rate',
  },
];

/** The latency monitor records events in whole ms (src/latency.h latencyAddSampleIfNeeded): below 1 ms LATENCY DOCTOR sees no fork. */
const GRADED_FORK_MIN_USEC = 1000;

/** LATENCY DOCTOR's fork-rate advice thresholds (src/latency.c), GB/s; forks it cannot record are negligible. */
export function forkRateGrade(gbPerSec: number, forkUsec: number): ForkRateGrade {
  if (forkUsec < GRADED_FORK_MIN_USEC) return 'negligible';
  if (gbPerSec < 10) return 'terrible';
  if (gbPerSec < 25) return 'poor';
  if (gbPerSec < 100) return 'good';
  return 'excellent';
}

/** The scenario with every default and derived input filled in, as the summary echoes it. */
export function resolvedScenario(scenario: Scenario, run: ResolvedRun, sampleIntervalSec: number): Scenario {
  return {
    ...scenario,
    // Keys, not used memory: re-submitting the resolved scenario gives the same result.
    dataset: run.dataset === null ? { keys: run.keys, valueBytes: scenario.dataset.valueBytes, keyBytes: scenario.dataset.keyBytes } : scenario.dataset,
    allocator: { fragmentationRatio: run.fragmentationRatio },
    snapshot: { ...scenario.snapshot, durationSec: run.durationSec, rdbBytes: run.rdbBytes },
    kernel: {
      ...scenario.kernel,
      forkUsecPerGiB: round(run.forkCosts.wpUsecPerGiB, 3),
      forkWritableUsecPerGiB: round(run.forkCosts.writableUsecPerGiB, 3),
      forkUsecPerGiBHuge: round(run.forkCosts.hugeWpUsecPerGiB, 3),
      cowFaultUsec: round(run.cowFaultUsec, 3),
    },
    host: { ...scenario.host, reservedBytes: run.host.reservedBytes },
    replication: {
      ...scenario.replication,
      diskless: run.replication.diskless,
      replicaLoadBytesPerSec: run.replication.replicaLoadBytesPerSec,
      socketBufferBytes: run.replication.socketBufferBytes,
    },
    simulation: { ...scenario.simulation, sampleIntervalSec: round(sampleIntervalSec, 6) },
  };
}

/** What the limit must hold at its peak against the limit, and the 25% reserve against the peak copy-on-write. */
function memoryVerdicts(run: ResolvedRun, timeline: Timeline): Pick<Summary, 'oom' | 'cloudReserve' | 'reserveRulesOfThumb'> {
  const limit = run.hostMemoryBytes;
  const { tSec, parts } = timeline.limitPeak;
  const peak = parts.limitBytes;
  const reserveBytes = limit === null ? null : (limit * AWS_RESERVE_PERCENT) / 100;
  return {
    oom: {
      limitBytes: limit,
      headroomBytes: limit === null ? null : Math.round(limit - peak),
      atRisk: limit === null ? null : peak > limit,
      reservedBytes: run.host.reservedBytes,
      peakBytes: Math.round(peak),
      peakAtSec: round(tSec, 6),
      firstExceededAtSec: timeline.firstExceededAtSec === null ? null : round(timeline.firstExceededAtSec, 6),
      components: {
        parentBytes: Math.round(parts.datasetBytes),
        cowBytes: Math.round(parts.cowBytes),
        replicationBufferBytes: Math.round(parts.replicationBufferBytes),
        aofRewriteBufferBytes: Math.round(parts.aofRewriteBufferBytes),
        pageCacheBytes: Math.round(parts.shmemBytes),
        forkPageTableBytes: Math.round(parts.pageTableBytes),
        reservedBytes: run.host.reservedBytes,
      },
    },
    cloudReserve: {
      rule: 'aws-elasticache-reserved-memory-percent',
      reservePercent: AWS_RESERVE_PERCENT,
      reserveBytes,
      coversPeakCow: reserveBytes === null ? null : reserveBytes >= timeline.cowPeakBytes,
    },
    reserveRulesOfThumb: RESERVE_RULES.map((r) => {
      const bytes = limit === null ? null : Math.round((limit * r.reservePercent) / 100);
      return { ...r, reserveBytes: bytes, coversPeakCow: bytes === null ? null : bytes >= timeline.cowPeakBytes };
    }),
  };
}

export function summarize(
  run: ResolvedRun,
  forks: readonly ForkCost[],
  event: ForkEvent,
  timeline: Timeline,
  sampleIntervalSec: number,
  scenario: Scenario,
): EngineSummary {
  const usedMemory = run.usedMemoryBytes;
  const T = run.durationSec;
  // The first fork is the one the scenario describes; a full sync's may come later or never.
  const fork = forks[0] ?? { forkUsec: 0, writableShare: 0, hugePageCoverage: 0 };
  const { cowPeakBytes: cowPeak, exit } = timeline;
  const forkRateGBps = usedMemory / 2 ** 30 / (fork.forkUsec / 1e6);
  const { oom, cloudReserve, reserveRulesOfThumb } = memoryVerdicts(run, timeline);
  return {
    keys: run.keys,
    usedMemoryBytes: usedMemory,
    usedMemoryRssBytes: run.usedMemoryRssBytes,
    latestForkUsec: Math.round(fork.forkUsec),
    forkWritableShare: round(fork.writableShare, 4),
    forkRateGBps: round(forkRateGBps, 3),
    forkRateGrade: forkRateGrade(forkRateGBps, fork.forkUsec),
    rdbBgsaveTimeSec: round(T, 6),
    cowPeakBytes: Math.round(cowPeak),
    cowPeakPercentOfUsedMemory: round((100 * cowPeak) / usedMemory, 3),
    rdbLastCowSize: Math.round(run.lastCowSizeIsPeak ? cowPeak : exit.cowBytes),
    finalCowBytes: Math.round(exit.cowBytes),
    peakHostMemoryBytes: Math.round(timeline.hostPeakBytes),
    copiedPages: Math.round(exit.copiedPages),
    copiedBytes: Math.round(exit.copiedPages) * PAGE_BYTES,
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
    reserveRulesOfThumb,
    verdict: verdictOf(oom, scenario.host.marginPercent),
    warnings: runWarnings(scenario, run, forks, event, timeline),
    trigger: run.trigger,
    forks: event.children.length,
    children: event.children.map((c, i) => ({
      startSec: round(c.startSec, 6),
      endSec: round(c.endSec, 6),
      killed: c.killed,
      forkUsec: Math.round(forks[i]!.forkUsec),
      cowPeakBytes: Math.round(timeline.children[i]!.cowPeakBytes),
      finalCowBytes: Math.round(timeline.children[i]!.cowBytes),
      copiedPages: Math.round(timeline.children[i]!.copiedPages),
      writes: Math.round(timeline.children[i]!.writes),
    })),
    fullSyncs: event.fullSync?.fullSyncs ?? 0,
    syncOutcome: event.fullSync?.syncOutcome ?? 'not-applicable',
    syncCompletedAtSec: event.fullSync?.completedAtSec ?? null,
    memTotalReplicationBuffersPeakBytes: Math.round(event.fullSync?.memTotalReplicationBuffersPeakBytes ?? 0),
    aofRewriteBufferPeakBytes: Math.round(event.aofRewrite?.peakBytes ?? 0),
    aofRewriteStallMs: round(event.aofRewrite?.stallMs ?? 0, 3),
    replicaMemoryPeakBytes: timeline.replicaPeakBytes,
    rdbBytes: run.rdbBytes,
    rdbBytesEstimated: run.rdbBytesEstimated,
    pageCachePeakBytes: Math.round(timeline.pageCachePeakBytes),
    containerUnreclaimablePeakBytes: Math.round(timeline.unreclaimablePeakBytes),
    containerMemoryUsagePeakBytes: Math.round(timeline.containerUsagePeakBytes),
    scenario: resolvedScenario(scenario, run, sampleIntervalSec),
  };
}
