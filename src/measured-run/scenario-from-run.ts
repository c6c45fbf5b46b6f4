// Turns a measured BGSAVE run — a ground-truth file (test/fixtures/ground-truth) or a
// `forkcast validate` report, both the same shape — into the scenario the engine is judged on:
// the measured key count, value size, fragmentation, achieved write rate and snapshot length,
// and optionally the measured write progress as a per-second schedule.
import type { KeyDistribution } from '../engine/key-distribution.js';
import { ScenarioSchema, type Scenario, type ScenarioInput } from '../schemas/scenario.js';
import { MIN_FAULTS_FOR_FIT } from '../calibration/calibrate.js';
import { keyBytesFor, MeasuredRunSchema, type FillSegment, type MeasuredRunView, type RunDistribution, type RunSample } from './schema.js';

type SegmentInput = NonNullable<ScenarioInput['dataset']['segments']>[number];

/**
 * A filled segment as the engine's dataset.segments take it: the measured key count, the
 * sizes, the write share as given (the harness split the rest by key count, as the engine
 * does), and the expiries' remaining lifetimes at the fork (set `lead_seconds` before it).
 */
export function engineSegment(g: FillSegment): SegmentInput {
  const common = {
    name: g.name,
    keys: g.keys,
    keyBytes: g.key_bytes,
    ...(g.write_share !== null ? { writeShare: g.write_share } : {}),
  };
  switch (g.type) {
    case 'string': {
      const lead = g.ttl?.lead_seconds ?? 0;
      const ttl = g.ttl ? { ttl: { share: g.ttl.share, remainingSec: { from: Math.max(0, g.ttl.from - lead), to: Math.max(g.ttl.to - lead, 1e-3) } } } : {};
      return { type: 'string', ...common, ...ttl, valueBytes: g.element_bytes, ...(g.write_op === 'INCR' ? { writeOp: 'INCR' as const } : {}) };
    }
    case 'hash':
      return { type: 'hash', ...common, elements: g.elements, elementBytes: g.element_bytes, ...(g.field_bytes !== null ? { fieldBytes: g.field_bytes } : {}) };
    case 'set':
      return { type: 'set', ...common, elements: g.elements, elementBytes: g.element_bytes, intMembers: g.int_members };
    case 'zset':
    case 'list':
      return { type: g.type, ...common, elements: g.elements, elementBytes: g.element_bytes };
  }
}

/** The platform preset a measured run is scored against unless told otherwise. */
export const DEFAULT_VALIDATION_PLATFORM = 'reference-kvm';

export interface GroundTruthRun {
  name: string;
  /** The run as read. */
  view: MeasuredRunView;
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
    series: Pick<RunSample, 't_s' | 'child_private_dirty_bytes' | 'writes_so_far'>[];
  };
}

export function engineDistribution(raw: RunDistribution): KeyDistribution {
  switch (raw.type) {
    case 'zipf':
      return { type: 'zipf', exponent: raw.s };
    case 'hotset':
      return { type: 'hotset', hotKeyFraction: raw.f, hotWriteFraction: raw.p };
    default:
      return { type: raw.type };
  }
}

export interface ScenarioFromRunOptions {
  /** Platform preset id; DEFAULT_VALIDATION_PLATFORM when absent. */
  platform?: string;
}

/** Whether Redis ran on transparent huge pages: host switch `always` and disable-thp no. */
export function runUsedHugePages(run: MeasuredRunView): boolean {
  return run.scenario.thp === 'always' && run.environment.redis_disable_thp === 'no';
}

/**
 * Time since the previous fork in the run's own terms: a probe save forked before the load
 * started, and the warm-up writes came between, so the seconds that give the warm-up's write
 * count at the scenario's rate. Without a probe the measured fork was the first.
 */
export function secondsSincePreviousFork(run: MeasuredRunView, writesPerSec: number): number | 'none' {
  if ((run.calibration?.probes.length ?? 0) === 0) return 'none';
  const warmupWrites = (run.summary.write_rate_warmup ?? 0) * run.scenario.warmup_seconds;
  return writesPerSec > 0 ? warmupWrites / writesPerSec : 0;
}

/**
 * The run's own cost of a copy-on-write fault: the parent's system CPU per minor fault while
 * the child lived. The engine slows the offered rate by it, so on a host faster or slower than
 * the preset's the measured progress would otherwise be throttled twice, or not enough.
 */
export function measuredFaultUsec(run: MeasuredRunView): number | undefined {
  const faults = run.summary.parent_minor_faults_during_snapshot;
  const cpu = run.summary.parent_system_cpu_seconds_during_snapshot;
  if (typeof faults !== 'number' || typeof cpu !== 'number' || faults < MIN_FAULTS_FOR_FIT || cpu <= 0) return undefined;
  return (cpu * 1e6) / faults;
}

export function scenarioFromRun(run: MeasuredRunView, options: ScenarioFromRunOptions = {}): Scenario {
  const keys = run.fill.keys;
  const info = run.prefork.info;
  const faultUsec = measuredFaultUsec(run);
  const input: ScenarioInput = {
    name: run.scenario.name,
    dataset: run.fill.segments
      ? { segments: run.fill.segments.map(engineSegment) }
      : { keys, valueBytes: run.scenario.value_bytes!, keyBytes: run.fill.key_bytes ?? keyBytesFor(keys) },
    allocator: { fragmentationRatio: info.used_memory_rss / info.used_memory },
    workload: { writesPerSec: run.summary.write_rate_achieved, keyDistribution: engineDistribution(run.scenario.distribution) },
    snapshot: {
      durationSec: run.summary.snapshot_seconds,
      secondsSincePreviousFork: secondsSincePreviousFork(run, run.summary.write_rate_achieved),
      // The probe saves ran before the write load started.
      previousSnapshotSec: 0,
    },
    kernel: {
      thp: run.scenario.thp === 'always' ? 'always' : 'never',
      platform: options.platform ?? DEFAULT_VALIDATION_PLATFORM,
      ...(faultUsec !== undefined ? { cowFaultUsec: faultUsec } : {}),
    },
    redis: { version: '7.0', disableThp: run.environment.redis_disable_thp !== 'no' },
  };
  return ScenarioSchema.parse(input);
}

export interface ScheduleStep {
  fromSec: number;
  writesPerSec: number;
}

/** Writes served per second since fork, read off the measured write counter. */
export function measuredSchedule(series: Pick<RunSample, 't_s' | 'writes_so_far'>[], snapshotSec: number): ScheduleStep[] {
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
  const steps: ScheduleStep[] = [];
  for (let from = 0; from < snapshotSec; from += 1) {
    const to = Math.min(snapshotSec, from + 1);
    steps.push({ fromSec: from, writesPerSec: Math.max(0, (writesAt(to) - writesAt(from)) / (to - from)) });
  }
  return steps;
}

/** The run's scenario with the measured write progress as its schedule. */
export function scheduledScenarioFromRun(run: MeasuredRunView, options: ScenarioFromRunOptions = {}): Scenario {
  const flat = scenarioFromRun(run, options);
  return ScenarioSchema.parse({
    ...flat,
    workload: { ...flat.workload, writeSchedule: measuredSchedule(run.series, run.summary.snapshot_seconds) },
  });
}

export function groundTruthRun(raw: unknown, options: ScenarioFromRunOptions = {}): GroundTruthRun {
  const run = MeasuredRunSchema.parse(raw);
  return {
    name: run.scenario.name,
    view: run,
    scenario: scenarioFromRun(run, options),
    scheduledScenario: scheduledScenarioFromRun(run, options),
    measured: {
      peakCowBytes: run.summary.peak_cow_bytes,
      forkUsec: run.summary.fork_ms * 1000,
      snapshotSec: run.summary.snapshot_seconds,
      usedMemoryBytes: run.prefork.info.used_memory,
      writes: run.summary.writes_during_snapshot,
      series: run.series,
    },
  };
}
