// How a simulation is scored against a measured run: peak CoW, CoW at each quarter of the
// snapshot, and fork time, as relative errors. Runs without writes are scored against used
// memory instead (their CoW is the child's own ~0.8 MiB, where a relative error means nothing).
import { simulate } from '../engine/simulate.js';
import type { EngineResult } from '../schemas/result.js';
import { groundTruthRun, type GroundTruthRun, type ScenarioFromRunOptions } from '../measured-run/scenario-from-run.js';

/** Peak CoW error the harness accepts for a run with writes (README, Validation). */
export const PEAK_COW_TOLERANCE = 0.15;
/** For runs without writes: peak CoW error as a share of used memory. */
export const WRITELESS_TOLERANCE_OF_USED = 0.01;

export const QUARTERS = [0.25, 0.5, 0.75, 1] as const;

export function relativeError(simulated: number, measured: number): number {
  return (simulated - measured) / measured;
}

/** Simulated CoW at time t, read off the series by linear interpolation. */
export function cowAt(result: EngineResult, t: number): number {
  const { tSec, cowBytes } = result.series;
  for (let i = 1; i < tSec.length; i++) {
    if (tSec[i]! >= t) {
      const share = (t - tSec[i - 1]!) / (tSec[i]! - tSec[i - 1]!);
      return cowBytes[i - 1]! + share * (cowBytes[i]! - cowBytes[i - 1]!);
    }
  }
  return cowBytes[cowBytes.length - 1]!;
}

type Sample = GroundTruthRun['measured']['series'][number];
export type LiveSample = Sample & { child_private_dirty_bytes: number };

/** Measured samples nearest to each quarter of the snapshot (the last one before exit for 4/4). */
export function quarterSamples(measured: GroundTruthRun['measured']): LiveSample[] {
  const { series, snapshotSec } = measured;
  const candidates = series.filter((s): s is LiveSample => s.t_s < snapshotSec && s.child_private_dirty_bytes !== null);
  if (candidates.length === 0) return [];
  return QUARTERS.map((f) => {
    const target = f * snapshotSec;
    return candidates.reduce((best, s) => (Math.abs(s.t_s - target) < Math.abs(best.t_s - target) ? s : best));
  });
}

export interface RunScore {
  name: string;
  writeless: boolean;
  peakMeasuredBytes: number;
  peakSimulatedBytes: number;
  /** Relative error, or a share of used memory when `writeless`. */
  peakError: number;
  quarters: Array<{ tSec: number; measuredBytes: number; simulatedBytes: number; error: number }>;
  forkMeasuredUsec: number;
  forkSimulatedUsec: number;
  forkError: number;
  withinTolerance: boolean;
}

/** Scores one simulation of a measured run. */
export function scoreSimulation(run: GroundTruthRun, result: EngineResult): RunScore {
  const { measured } = run;
  const writeless = measured.writes === 0;
  const error = (simulated: number, actual: number) =>
    writeless ? (simulated - actual) / measured.usedMemoryBytes : relativeError(simulated, actual);
  const peakError = error(result.summary.cowPeakBytes, measured.peakCowBytes);
  return {
    name: run.name,
    writeless,
    peakMeasuredBytes: measured.peakCowBytes,
    peakSimulatedBytes: result.summary.cowPeakBytes,
    peakError,
    quarters: quarterSamples(measured).map((s) => {
      const simulated = cowAt(result, s.t_s);
      return { tSec: s.t_s, measuredBytes: s.child_private_dirty_bytes, simulatedBytes: simulated, error: error(simulated, s.child_private_dirty_bytes) };
    }),
    forkMeasuredUsec: measured.forkUsec,
    forkSimulatedUsec: result.summary.latestForkUsec,
    forkError: relativeError(result.summary.latestForkUsec, measured.forkUsec),
    withinTolerance: Math.abs(peakError) <= (writeless ? WRITELESS_TOLERANCE_OF_USED : PEAK_COW_TOLERANCE),
  };
}

export interface ScoredRun {
  run: GroundTruthRun;
  /** The engine on the measured scenario with the measured write schedule. */
  result: EngineResult;
  score: RunScore;
}

/** Runs the engine on a measured run (ground-truth shape) and scores it. */
export function scoreRun(raw: unknown, options: ScenarioFromRunOptions = {}): ScoredRun {
  const run = groundTruthRun(raw, options);
  const result = simulate(run.scheduledScenario);
  return { run, result, score: scoreSimulation(run, result) };
}
