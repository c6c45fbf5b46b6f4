// What `forkcast validate` writes for a full sync or an AOF rewrite: per scenario a JSON report
// — the sync-probe's run, the engine's result on the scenario it implies, and the errors — and
// a row of validation.md's table of its own.
import { round } from '../engine/numbers.js';
import type { SyncProbeRun } from '../harness/sync-probe.js';
import { percent, simulationSection, type SimulationSection } from './report.js';
import { SYNC_PEAK_TOLERANCE, type MeasuredVsSimulated, type ScoredSyncRun, type SyncScore } from './sync-score.js';

const MiB = 2 ** 20;

const asBytes = (x: MeasuredVsSimulated) => ({
  measured_bytes: x.measuredBytes,
  simulated_bytes: x.simulatedBytes,
  error: x.error === null ? null : round(x.error, 5),
});

export interface SyncValidationReport extends SyncProbeRun {
  /** The scenario the engine ran is the one a user would write for this master. */
  simulation: SimulationSection;
  errors: {
    replication_buffer: ReturnType<typeof asBytes>;
    master_memory: ReturnType<typeof asBytes>;
    cow_peak: { measured_bytes: number; simulated_bytes: number; error: number };
    replica_disconnected: { measured: boolean; simulated: boolean };
    forks: { measured: number; simulated: number };
    full_syncs: { measured: number; simulated: number };
    tolerance: number;
    within_tolerance: boolean;
  };
}

export function buildSyncReport(run: SyncProbeRun, { scenario, result, score }: Pick<ScoredSyncRun, 'scenario' | 'result' | 'score'>): SyncValidationReport {
  return {
    ...run,
    simulation: simulationSection(scenario, result),
    errors: {
      replication_buffer: asBytes(score.replicationBuffer),
      master_memory: asBytes(score.masterMemory),
      cow_peak: { measured_bytes: score.cowPeak.measuredBytes, simulated_bytes: score.cowPeak.simulatedBytes, error: round(score.cowPeak.error, 5) },
      replica_disconnected: score.disconnect,
      forks: score.forks,
      full_syncs: score.fullSyncs,
      tolerance: SYNC_PEAK_TOLERANCE,
      within_tolerance: score.withinTolerance,
    },
  };
}

export interface SyncTableRow {
  name: string;
  /** The master's settings that shape the event, in redis.conf's words. */
  setup: string;
  writeRateTarget: number;
  writeRateAchieved: number;
  /** The save's length the engine was given. */
  saveSec: number;
  score: SyncScore;
}

/** A byte figure as redis.conf would write it: 8mb, 256mb, or plain bytes. */
function redisBytes(bytes: number): string {
  if (bytes > 0 && bytes % 2 ** 30 === 0) return `${bytes / 2 ** 30}gb`;
  if (bytes > 0 && bytes % MiB === 0) return `${bytes / MiB}mb`;
  return String(bytes);
}

export function setupLabel(spec: SyncProbeRun['spec']): string {
  if (spec.trigger === 'aof-rewrite') return `BGREWRITEAOF, save "${spec.saveRule ?? ''}"`;
  const parts = [spec.diskless ? `diskless, delay ${spec.disklessSyncDelaySec} s` : 'disk'];
  const limit = spec.outputBufferLimit;
  parts.push(limit ? `limit ${redisBytes(limit.hardBytes)} ${redisBytes(limit.softBytes)} ${limit.softSec}` : 'limit 256mb 64mb 60');
  parts.push(`save "${spec.saveRule ?? ''}"`);
  if ((spec.replicas ?? 1) > 1) parts.push(`${spec.replicas} replicas`);
  return parts.join(', ');
}

export function syncTableRow(run: SyncProbeRun, { scenario, score }: Pick<ScoredSyncRun, 'scenario' | 'score'>): SyncTableRow {
  return {
    name: run.name,
    setup: setupLabel(run.spec),
    writeRateTarget: run.spec.writesPerSec,
    writeRateAchieved: scenario.workload.writesPerSec,
    saveSec: scenario.snapshot.durationSec ?? 0,
    score,
  };
}

const HEADER = [
  'scenario',
  'setup',
  'SET/s target → achieved',
  'save s',
  'forks measured → simulated',
  'sync_full measured → simulated',
  'replica dropped measured · predicted',
  'peak repl. buffers measured MiB',
  'simulated MiB',
  'error',
  'peak RSS + child measured MiB',
  'simulated MiB',
  'error',
  'peak CoW measured MiB',
  'simulated MiB',
  'error',
  `within ±${SYNC_PEAK_TOLERANCE * 100}%`,
];

const mib = (bytes: number) => (bytes / MiB).toFixed(1);
const yesNo = (x: boolean) => (x ? 'yes' : 'no');

export function renderSyncTable(rows: SyncTableRow[]): string {
  const lines = [`| ${HEADER.join(' | ')} |`, `|${HEADER.map(() => '---').join('|')}|`];
  for (const r of rows) {
    const s = r.score;
    const error = (x: MeasuredVsSimulated) => (x.error === null ? (x.within ? 'both 0' : 'measured 0') : percent(x.error));
    lines.push(
      `| ${[
        r.name,
        r.setup,
        `${r.writeRateTarget} → ${Math.round(r.writeRateAchieved)}`,
        r.saveSec.toFixed(2),
        `${s.forks.measured} → ${s.forks.simulated}`,
        `${s.fullSyncs.measured} → ${s.fullSyncs.simulated}`,
        `${yesNo(s.disconnect.measured)} · ${yesNo(s.disconnect.simulated)}`,
        mib(s.replicationBuffer.measuredBytes),
        mib(s.replicationBuffer.simulatedBytes),
        error(s.replicationBuffer),
        mib(s.masterMemory.measuredBytes),
        mib(s.masterMemory.simulatedBytes),
        error(s.masterMemory),
        mib(s.cowPeak.measuredBytes),
        mib(s.cowPeak.simulatedBytes),
        percent(s.cowPeak.error),
        s.withinTolerance ? 'yes' : '**no**',
      ].join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

/** validation.md's section for full syncs and rewrites. */
export function renderSyncSection(rows: SyncTableRow[]): string[] {
  return [
    '## Full syncs and AOF rewrites',
    '',
    'A master and its replicas of the run’s own on loopback (src/harness/sync-probe.ts), sampled every 100 ms. The engine runs on the',
    'scenario a user would write for that master: keys, value size, mem_fragmentation_ratio, the achieved SET rate, the trigger and',
    'the replication config (diskless and its delay, client-output-buffer-limit, save rule, replicas), the first child’s life as the',
    'save length (the planned one when it was killed), the RDB size, and the loopback link and load rates read off the replica’s log;',
    'a run that never settled is followed over its sampled span. Judged: peak INFO mem_total_replication_buffers and peak master',
    `RSS + child Private_Dirty within ±${SYNC_PEAK_TOLERANCE * 100}%, and a replica dropped at its output-buffer limit predicted iff it was.`,
    'Forks, sync_full and the largest child’s CoW (INFO aof_last_cow_size for a rewrite) are reported, not judged.',
    '',
    renderSyncTable(rows),
  ];
}
