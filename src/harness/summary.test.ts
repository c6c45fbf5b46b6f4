import { describe, expect, it } from 'vitest';
import type { ProcStat } from './proc.js';
import { summarize, type SummaryInput } from './summary.js';
import type { WriterCounts } from './writer-protocol.js';

const MiB = 2 ** 20;
const counts = (acked: number, distinctWindow = 0, sentWindow = 0): WriterCounts => ({
  sent: acked,
  acked,
  errors: 0,
  dropped: 7,
  distinctAll: acked,
  sentWindow,
  distinctWindow,
  maxInflightSeen: 40,
});
const stat = (minflt: number, utimeSec: number, stimeSec: number) => ({ minflt, utimeSec, stimeSec }) as ProcStat;

const input: SummaryInput = {
  keys: 1_000_000,
  forkUsec: 12_345,
  bgsaveReplyMs: 40,
  snapshotSec: 5,
  snapshotTargetSec: 5,
  writeRateTarget: 2000,
  warmupSec: 0.5,
  prefork: {
    info: { used_memory: 200 * MiB, used_memory_rss: 210 * MiB, mem_fragmentation_ratio: 1.05, allocator_frag_ratio: 1 },
    parentSmaps: { Anonymous: 200 * MiB, AnonHugePages: 50 * MiB },
    parentRssBytes: 211 * MiB,
  },
  postsave: { rdb_last_bgsave_status: 'ok', rdb_last_cow_size: 61 * MiB, rdb_last_bgsave_time_sec: 5 },
  rdbFileBytes: 1234,
  series: [
    { t_s: 0.1, child_private_dirty_bytes: 1 * MiB, writes_so_far: 200, info_current_cow_peak: 0 },
    { t_s: 2.5, child_private_dirty_bytes: 62 * MiB, writes_so_far: 5000, info_current_cow_peak: 40 * MiB },
    { t_s: 4.9, child_private_dirty_bytes: 60 * MiB, writes_so_far: 9800, info_current_cow_peak: 58 * MiB },
    { t_s: 5.1, child_private_dirty_bytes: null, writes_so_far: 10_000 },
  ],
  counts: { warmupStart: counts(0), atBgsave: counts(2000), atExit: counts(12_000, 9500, 10_010), final: counts(12_500, 9500, 10_010) },
  writerFirstError: null,
  parent: { atBgsave: stat(1000, 1, 2), atExit: stat(16_000, 2, 4.5) },
  child: stat(150, 3, 0.25),
  sampleIntervalMs: 100,
  thpValuesSeen: [],
  thpVmstatDelta: {},
};

describe('summarize', () => {
  const s = summarize(input);

  it('takes peak and final CoW from the live samples only', () => {
    expect(s.peak_cow_bytes).toBe(62 * MiB);
    expect(s.final_cow_bytes).toBe(60 * MiB);
    expect(s.peak_cow_pct_of_used_memory).toBe(31);
    expect(s.child_private_dirty_first_sample).toBe(MiB);
    expect(s.samples).toBe(3);
    expect(s.info_current_cow_peak_max).toBe(58 * MiB);
  });

  it('counts writes acknowledged between fork and child exit, and their rate', () => {
    expect(s.writes_during_snapshot).toBe(10_000);
    expect(s.write_rate_achieved).toBe(2000);
    expect(s.write_rate_warmup).toBe(4000);
    expect(s.distinct_keys_written_during_snapshot).toBe(9500);
    expect(s.distinct_keys_fraction).toBe(0.0095);
    expect(s.writes_total).toBe(12_500);
    expect(s.cow_bytes_per_distinct_key).toBeCloseTo((62 * MiB) / 9500, 1);
  });

  it('derives parent faults and CPU over the child’s life, and the THP share before the fork', () => {
    expect(s.parent_minor_faults_during_snapshot).toBe(15_000);
    expect(s.parent_cpu_seconds_during_snapshot).toBe(3.5);
    expect(s.parent_system_cpu_seconds_during_snapshot).toBe(2.5);
    expect(s.child_cpu_seconds).toBe(3.25);
    expect(s.prefork_thp_coverage).toBe(0.25);
    expect(s.fork_ms).toBe(12.35);
    expect(s.aborted).toBe(false);
  });
});
