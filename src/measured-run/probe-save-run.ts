// A save measured by the large-value and fragmentation probes (validation/large-value-probe.ts)
// as the scenario a user would write for it, with the measured write progress as its schedule,
// and the figures the engine is judged on: the child's Private_Dirty net of its first sample
// (its own stack and buffers) at the peak, at the quarter points and at the end.
import { PAGE_BYTES } from '../engine/jemalloc.js';
import { ScenarioSchema, type Scenario } from '../schemas/scenario.js';

/** Schedule steps over the save: enough to follow a load that fell behind. */
const SCHEDULE_STEPS = 10;

/** [t_s, writes, distinctKeys, childPrivateDirtyPages], as the probe samples them. */
export type ProbeSaveSample = [number, number, number, number];

export interface ProbeSaveCase {
  keys: number;
  valueBytes: number;
  mode: 'dismiss' | 'nodismiss';
  fillFactor?: number;
  memory: { usedMemoryBytes: number | null; usedMemoryRssBytes: number | null };
}

export interface ProbeSaveRun {
  writeShare: number;
  writes: number;
  peakChildPrivateDirtyPages: number;
  endChildPrivateDirtyPages: number;
  samples: ProbeSaveSample[];
}

export interface ProbeSaveMeasured {
  snapshotSec: number;
  peakCowBytes: number;
  endCowBytes: number;
  /** The samples nearest ¼, ½ and ¾ of the save: [t_s, CoW bytes]. */
  quarters: Array<[number, number]>;
}

export function measuredProbeSave(run: ProbeSaveRun): ProbeSaveMeasured {
  const own = run.samples[0]![3];
  const snapshotSec = run.samples.at(-1)![0];
  const nearest = (t: number) => run.samples.reduce((best, s) => (Math.abs(s[0] - t) < Math.abs(best[0] - t) ? s : best));
  return {
    snapshotSec,
    peakCowBytes: (run.peakChildPrivateDirtyPages - own) * PAGE_BYTES,
    endCowBytes: (run.endChildPrivateDirtyPages - own) * PAGE_BYTES,
    quarters: [0.25, 0.5, 0.75].map((f) => {
      const s = nearest(f * snapshotSec);
      return [s[0], (s[3] - own) * PAGE_BYTES];
    }),
  };
}

/**
 * Keys and value size as filled, the heap's rss/used as its fragmentation ratio when the fill
 * deleted keys (serverCron's mem_fragmentation_ratio can predate the deletes), writes as
 * measured; Redis 6.2 stands for the runs with dismiss off (same allocator behaviour, no
 * dismiss), and the save has no fork before it.
 */
export function scenarioFromProbeSave(c: ProbeSaveCase, run: ProbeSaveRun): Scenario {
  const { snapshotSec } = measuredProbeSave(run);
  const writesAt = (t: number): number => {
    let previous: ProbeSaveSample = [0, 0, 0, 0];
    for (const s of run.samples) {
      if (s[0] >= t) {
        const span = s[0] - previous[0];
        return previous[1] + (span > 0 ? (t - previous[0]) / span : 1) * (s[1] - previous[1]);
      }
      previous = s;
    }
    return previous[1];
  };
  const step = snapshotSec / SCHEDULE_STEPS;
  const writeSchedule = Array.from({ length: SCHEDULE_STEPS }, (_, i) => ({
    fromSec: i * step,
    writesPerSec: Math.max(0, (writesAt((i + 1) * step) - writesAt(i * step)) / step),
  }));
  const fragmented = (c.fillFactor ?? 1) > 1 && c.memory.usedMemoryBytes && c.memory.usedMemoryRssBytes;
  return ScenarioSchema.parse({
    dataset: { keys: c.keys, valueBytes: c.valueBytes },
    allocator: fragmented ? { fragmentationRatio: c.memory.usedMemoryRssBytes! / c.memory.usedMemoryBytes! } : {},
    workload: { writesPerSec: run.writes / snapshotSec, writeSchedule },
    snapshot: { durationSec: snapshotSec, previousSnapshotSec: 0 },
    kernel: { thp: 'never' },
    redis: { version: c.mode === 'dismiss' ? '7.0' : '6.2' },
    simulation: { maxPoints: 400 },
  });
}
