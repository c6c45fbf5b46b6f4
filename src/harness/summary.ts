// The summary of a measured run, named as in the ground truth: fork time, child lifetime, peak
// CoW (max child Private_Dirty), achieved write rate, distinct keys, parent faults and CPU.
// Pure: everything it needs is handed in.
import type { RunSample } from '../measured-run/schema.js';
import { round } from '../engine/numbers.js';
import type { ProcStat, SmapsRollup } from './proc.js';
import { infoNumber, type RedisInfo } from './redis-info.js';
import type { WriterCounts } from './writer-protocol.js';

export interface SummaryInput {
  keys: number;
  forkUsec: number;
  bgsaveReplyMs: number;
  snapshotSec: number;
  snapshotTargetSec: number;
  writeRateTarget: number;
  warmupSec: number;
  prefork: { info: RedisInfo; parentSmaps: SmapsRollup | undefined; parentRssBytes: number };
  postsave: RedisInfo;
  rdbFileBytes: number | null;
  series: RunSample[];
  counts: { warmupStart: WriterCounts; atBgsave: WriterCounts; atExit: WriterCounts; final: WriterCounts };
  writerFirstError: string | null;
  parent: { atBgsave: ProcStat | undefined; atExit: ProcStat | undefined };
  child: ProcStat | undefined;
  sampleIntervalMs: number;
  thpValuesSeen: string[];
  thpVmstatDelta: Record<string, number>;
}

const ratio = (a: number, b: number, digits: number) => (b > 0 ? round(a / b, digits) : null);

export function summarize(input: SummaryInput) {
  const { prefork, postsave, series, counts, parent } = input;
  const usedMemory = infoNumber(prefork.info, 'used_memory') ?? 0;
  const live = series.filter((s): s is RunSample & { child_private_dirty_bytes: number } => s.child_private_dirty_bytes !== null);
  const peakCow = live.reduce((m, s) => Math.max(m, s.child_private_dirty_bytes), 0);
  const finalCow = live.at(-1)?.child_private_dirty_bytes ?? 0;
  const writes = counts.atExit.acked - counts.atBgsave.acked;
  const distinct = counts.atExit.distinctWindow;
  const faults = parent.atExit && parent.atBgsave ? parent.atExit.minflt - parent.atBgsave.minflt : null;
  const anon = prefork.parentSmaps?.Anonymous ?? 0;
  const huge = prefork.parentSmaps?.AnonHugePages ?? 0;
  const cowPeaks = series.map((s) => s.info_current_cow_peak ?? 0);
  return {
    fork_ms: round(input.forkUsec / 1000, 2),
    bgsave_reply_ms: round(input.bgsaveReplyMs, 2),
    snapshot_seconds: round(input.snapshotSec, 3),
    snapshot_target_seconds: input.snapshotTargetSec,
    rdb_last_bgsave_time_sec: infoNumber(postsave, 'rdb_last_bgsave_time_sec'),
    rdb_last_bgsave_status: postsave.rdb_last_bgsave_status ?? null,
    rdb_file_bytes: input.rdbFileBytes,
    aborted: postsave.rdb_last_bgsave_status !== 'ok',
    prefork_used_memory: usedMemory,
    prefork_used_memory_rss: infoNumber(prefork.info, 'used_memory_rss'),
    prefork_parent_rss: prefork.parentRssBytes,
    prefork_parent_anon_huge: huge,
    prefork_thp_coverage: anon > 0 ? round(huge / anon, 3) : 0,
    prefork_mem_fragmentation_ratio: infoNumber(prefork.info, 'mem_fragmentation_ratio'),
    prefork_allocator_frag_ratio: infoNumber(prefork.info, 'allocator_frag_ratio'),
    thp_switch_values_seen_during_snapshot: input.thpValuesSeen,
    child_private_dirty_first_sample: live[0]?.child_private_dirty_bytes ?? null,
    peak_cow_bytes: peakCow,
    final_cow_bytes: finalCow,
    peak_cow_pct_of_used_memory: ratio(100 * peakCow, usedMemory, 2),
    final_cow_pct_of_used_memory: ratio(100 * finalCow, usedMemory, 2),
    rdb_last_cow_size: infoNumber(postsave, 'rdb_last_cow_size'),
    system_thp_vmstat_delta_during_snapshot: input.thpVmstatDelta,
    info_current_cow_peak_max: cowPeaks.length > 0 ? Math.max(...cowPeaks) : null,
    write_rate_target: input.writeRateTarget,
    write_rate_achieved: round(writes / input.snapshotSec, 1),
    write_rate_warmup: input.warmupSec > 0 ? round((counts.atBgsave.acked - counts.warmupStart.acked) / input.warmupSec, 1) : null,
    writes_during_snapshot: writes,
    writes_sent_during_snapshot: counts.atExit.sentWindow,
    distinct_keys_written_during_snapshot: distinct,
    distinct_keys_fraction: round(distinct / input.keys, 5),
    writes_total: counts.final.acked,
    distinct_keys_written_total: counts.final.distinctAll,
    writer_dropped_ops: counts.final.dropped,
    writer_errors: counts.final.errors,
    writer_first_error: input.writerFirstError,
    samples: live.length,
    sample_interval_ms: input.sampleIntervalMs,
    cow_bytes_per_distinct_key: distinct > 0 ? round(peakCow / distinct, 1) : null,
    parent_minor_faults_during_snapshot: faults,
    cow_bytes_per_parent_minor_fault: faults ? round(peakCow / faults, 1) : null,
    parent_cpu_seconds_during_snapshot:
      parent.atExit && parent.atBgsave
        ? round(parent.atExit.utimeSec + parent.atExit.stimeSec - parent.atBgsave.utimeSec - parent.atBgsave.stimeSec, 2)
        : null,
    parent_system_cpu_seconds_during_snapshot:
      parent.atExit && parent.atBgsave ? round(parent.atExit.stimeSec - parent.atBgsave.stimeSec, 2) : null,
    child_cpu_seconds: input.child ? round(input.child.utimeSec + input.child.stimeSec, 2) : null,
    child_system_cpu_seconds: input.child ? round(input.child.stimeSec, 2) : null,
  };
}

export type RunSummary = ReturnType<typeof summarize>;
