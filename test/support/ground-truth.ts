// Reads the measured BGSAVE runs in ../shared/ground-truth/redis and turns each into the
// scenario the engine is judged on: the measured key count, value size, fragmentation,
// achieved write rate and snapshot length.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ScenarioSchema, type ScenarioInput } from '../../src/schemas/scenario.js';
import type { Scenario } from '../../src/schemas/scenario.js';

const here = dirname(fileURLToPath(import.meta.url));

export function groundTruthDir(): string | undefined {
  const candidates = [process.env.FORKCAST_GROUND_TRUTH, resolve(here, '../../../shared/ground-truth/redis')];
  return candidates.find((dir): dir is string => !!dir && existsSync(dir));
}

interface GroundTruthSample {
  t_s: number;
  child_private_dirty_bytes: number;
  writes_so_far: number;
}

export interface GroundTruthRun {
  name: string;
  /** Fed with the average achieved write rate. */
  scenario: Scenario;
  /** Fed with the measured write progress, one step per second. */
  scheduledScenario: Scenario;
  measured: {
    peakCowBytes: number;
    forkUsec: number;
    snapshotSec: number;
    usedMemoryBytes: number;
    writes: number;
    series: GroundTruthSample[];
  };
}

type Raw = Record<string, any>;

function distribution(raw: Raw): ScenarioInput['workload'] extends infer W ? any : never {
  switch (raw.type) {
    case 'zipf':
      return { type: 'zipf', exponent: raw.s };
    case 'hotset':
      return { type: 'hotset', hotKeyFraction: raw.f, hotWriteFraction: raw.p };
    default:
      return { type: raw.type };
  }
}

export function scenarioFromRun(run: Raw): Scenario {
  const keys: number = run.fill.keys;
  const info = run.prefork.info;
  const input: ScenarioInput = {
    name: run.scenario.name,
    dataset: { keys, valueBytes: run.scenario.value_bytes, keyBytes: `key:${keys - 1}`.length },
    allocator: { fragmentationRatio: info.used_memory_rss / info.used_memory },
    workload: { writesPerSec: run.summary.write_rate_achieved, keyDistribution: distribution(run.scenario.distribution) },
    snapshot: { durationSec: run.summary.snapshot_seconds },
    kernel: { thp: run.scenario.thp === 'always' ? 'always' : 'never', platform: 'reference-kvm' },
    redis: { version: '7.0', disableThp: run.environment.redis_disable_thp !== 'no' },
  };
  return ScenarioSchema.parse(input);
}

/** Writes served per second since fork, read off the measured write counter. */
export function measuredSchedule(series: GroundTruthSample[], snapshotSec: number): Array<{ fromSec: number; writesPerSec: number }> {
  const writesAt = (t: number): number => {
    if (t <= 0) return 0;
    let previous = { t_s: 0, writes_so_far: 0 };
    for (const sample of series) {
      if (sample.t_s >= t) {
        const span = sample.t_s - previous.t_s;
        const share = span > 0 ? (t - previous.t_s) / span : 1;
        return previous.writes_so_far + share * (sample.writes_so_far - previous.writes_so_far);
      }
      previous = sample;
    }
    return previous.writes_so_far;
  };
  const steps: Array<{ fromSec: number; writesPerSec: number }> = [];
  for (let from = 0; from < snapshotSec; from += 1) {
    const to = Math.min(snapshotSec, from + 1);
    steps.push({ fromSec: from, writesPerSec: Math.max(0, (writesAt(to) - writesAt(from)) / (to - from)) });
  }
  return steps;
}

export function loadGroundTruth(): GroundTruthRun[] {
  const dir = groundTruthDir();
  if (!dir) return [];
  return readdirSync(dir)
    .filter((f) => /^\d+-.*\.json$/.test(f))
    .sort()
    .map((file) => {
      const run: Raw = JSON.parse(readFileSync(join(dir, file), 'utf8'));
      return {
        name: run.scenario.name,
        scenario: scenarioFromRun(run),
        scheduledScenario: ScenarioSchema.parse({
          ...scenarioFromRun(run),
          workload: {
            ...scenarioFromRun(run).workload,
            writeSchedule: measuredSchedule(run.series, run.summary.snapshot_seconds),
          },
        }),
        measured: {
          peakCowBytes: run.summary.peak_cow_bytes,
          forkUsec: run.summary.fork_ms * 1000,
          snapshotSec: run.summary.snapshot_seconds,
          usedMemoryBytes: run.prefork.info.used_memory,
          writes: run.summary.writes_during_snapshot,
          series: run.series,
        },
      };
    });
}
