// How a simulated fork event is scored against a measured full sync or AOF rewrite (the
// sync-probe's runs): the peak of INFO mem_total_replication_buffers and the peak of the
// master's RSS plus its child's Private_Dirty as relative errors, and whether the replica was
// dropped at its output-buffer limit, predicted or not. Forks, full syncs and the CoW peak are
// reported beside them, not judged.
import { simulate } from '../engine/simulate.js';
import type { EngineResult } from '../schemas/result.js';
import type { Scenario } from '../schemas/scenario.js';
import { observedFromSyncRun, parsedScenarioFromSyncRun, SyncRunSchema, type ScenarioFromSyncRunOptions, type SyncObserved, type SyncRun } from '../measured-run/sync-run.js';
import { relativeError } from './score.js';

/** Peak buffer and peak master memory errors accepted (README, Validation). */
export const SYNC_PEAK_TOLERANCE = 0.15;

export interface MeasuredVsSimulated {
  measuredBytes: number;
  simulatedBytes: number;
  /** Relative error; null when nothing was measured (then only 0 simulated passes). */
  error: number | null;
  within: boolean;
}

export interface SyncScore {
  name: string;
  trigger: SyncRun['spec']['trigger'];
  replicationBuffer: MeasuredVsSimulated;
  masterMemory: MeasuredVsSimulated;
  disconnect: { measured: boolean; simulated: boolean };
  forks: { measured: number; simulated: number };
  fullSyncs: { measured: number; simulated: number };
  /** The rewrite's INFO aof_last_cow_size, else the largest child Private_Dirty, against the largest child's peak. */
  cowPeak: { measuredBytes: number; simulatedBytes: number; error: number };
  /** Both peaks within tolerance and the disconnect predicted iff it happened. */
  withinTolerance: boolean;
}

function compare(simulated: number, measured: number): MeasuredVsSimulated {
  if (measured === 0) return { measuredBytes: 0, simulatedBytes: simulated, error: null, within: simulated === 0 };
  const error = relativeError(simulated, measured);
  return { measuredBytes: measured, simulatedBytes: simulated, error, within: Math.abs(error) <= SYNC_PEAK_TOLERANCE };
}

export function scoreSyncSimulation(run: SyncRun, observed: SyncObserved, result: EngineResult): SyncScore {
  const s = result.summary;
  const replicationBuffer = compare(s.memTotalReplicationBuffersPeakBytes, observed.memTotalReplicationBuffersPeakBytes);
  const masterMemory = compare(s.peakHostMemoryBytes, observed.peakMasterMemoryBytes);
  const disconnect = { measured: observed.replicaDisconnected, simulated: result.series.events.some((e) => e.kind === 'replica-disconnected') };
  const cowMeasured = run.spec.trigger === 'aof-rewrite' && observed.aofLastCowSizeBytes ? observed.aofLastCowSizeBytes : observed.peakChildPrivateDirtyBytes;
  const cowSimulated = Math.max(0, ...s.children.map((c) => c.cowPeakBytes));
  return {
    name: run.name,
    trigger: run.spec.trigger,
    replicationBuffer,
    masterMemory,
    disconnect,
    forks: { measured: observed.forks, simulated: s.forks },
    fullSyncs: { measured: observed.fullSyncs, simulated: s.fullSyncs },
    cowPeak: { measuredBytes: cowMeasured, simulatedBytes: cowSimulated, error: relativeError(cowSimulated, cowMeasured) },
    withinTolerance: replicationBuffer.within && masterMemory.within && disconnect.measured === disconnect.simulated,
  };
}

export interface ScoredSyncRun {
  run: SyncRun;
  observed: SyncObserved;
  scenario: Scenario;
  result: EngineResult;
  score: SyncScore;
}

/** Runs the engine on a measured full sync or rewrite (the sync-probe's shape) and scores it. */
export function scoreSyncRun(raw: unknown, options: ScenarioFromSyncRunOptions = {}): ScoredSyncRun {
  const run = SyncRunSchema.parse(raw);
  const scenario = parsedScenarioFromSyncRun(run, options);
  const result = simulate(scenario);
  const observed = observedFromSyncRun(run);
  return { run, observed, scenario, result, score: scoreSyncSimulation(run, observed, result) };
}
