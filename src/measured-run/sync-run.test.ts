import { describe, expect, it } from 'vitest';
import { observedFromSyncRun, replicaOutputBufferLimit, saveSeconds, scenarioFromSyncRun, SyncRunSchema } from './sync-run.js';

const sample = (t_s: number, rss: number, child: number | null, buffer: number, acked: number) => ({
  t_s,
  used_memory: 200e6,
  used_memory_rss: 220e6,
  master_rss_bytes: rss,
  mem_total_replication_buffers: buffer,
  child_private_dirty_bytes: child,
  writes_acked: acked,
});

const run = (overrides: { save?: string; killed?: boolean; settled?: number | null; diskless?: boolean } = {}) =>
  SyncRunSchema.parse({
    name: 'r',
    environment: { redis_version: 'Redis server v=7.0.15 sha=0 malloc=jemalloc-5.3.0' },
    spec: { trigger: 'full-sync' },
    config: {
      master: {
        'repl-diskless-sync': overrides.diskless ? 'yes' : 'no',
        'repl-diskless-sync-delay': '3',
        'client-output-buffer-limit': 'normal 0 0 0 slave 8388608 4194304 10 pubsub 33554432 8388608 60',
        'repl-backlog-size': '1048576',
        save: overrides.save ?? '',
        'disable-thp': 'yes',
      },
      replica: { 'repl-diskless-load': 'disabled' },
    },
    dataset: { keys: 1000, key_bytes: 8 },
    save: { rdb_bytes_per_key: 1000, predicted_save_seconds: 7 },
    load: { value_bytes: 900, key_bytes: 8, replication_bytes_per_write: 940 },
    summary: {
      forks: 1,
      sync_full_delta: 1,
      output_buffer_disconnects: overrides.killed ? 1 : 0,
      settled_at_s: overrides.settled === undefined ? 3 : overrides.settled,
      peak_child_private_dirty_bytes: 30e6,
      peak_mem_total_replication_buffers: 5e6,
      aof_last_cow_size: 0,
    },
    forks: [{ pid: 1, start_s: 0.1, end_s: 2.6, peak_private_dirty_bytes: 30e6 }],
    log: {
      master: overrides.killed ? [{ t_s: 2.6, line: 'Background saving terminated by signal 10' }] : [{ t_s: 2.6, line: 'Background saving terminated with success' }],
      replica: [
        { t_s: 2.6, line: 'MASTER <-> REPLICA sync: receiving 1200000 bytes from master to disk' },
        { t_s: 2.7, line: 'MASTER <-> REPLICA sync: Discarding previously cached master state.' },
        { t_s: 2.8, line: 'Loading DB in memory' },
        { t_s: 3.1, line: 'Done loading RDB, keys loaded: 1000, keys expired: 0.' },
      ],
    },
    series: [sample(-1, 230e6, null, 1e6, 0), sample(1, 240e6, 30e6, 5e6, 1000), sample(2, 260e6, 5e6, 4e6, 2000), sample(4, 250e6, null, 1e6, 4000)],
  });

describe('a sync-probe run → scenario', () => {
  it('reads the replica class of client-output-buffer-limit', () => {
    expect(replicaOutputBufferLimit({ 'client-output-buffer-limit': 'normal 0 0 0 slave 268435456 67108864 60 pubsub 1 2 3' })).toEqual({
      hardBytes: 268435456,
      softBytes: 67108864,
      softSec: 60,
    });
    expect(replicaOutputBufferLimit({})).toBeUndefined();
  });

  it("uses a finished child's life as the save length, the planned length for a killed one", () => {
    expect(saveSeconds(run())).toBeCloseTo(2.5, 9);
    expect(saveSeconds(run({ killed: true }))).toBe(7);
  });

  it('maps the config, the RDB from the log, the rates from the replica timeline', () => {
    const s = scenarioFromSyncRun(run({ save: '3600 1' }));
    expect(s.snapshot).toMatchObject({ trigger: 'full-sync', durationSec: 2.5, rdbBytes: 1_200_000, secondsSincePreviousFork: 1 });
    expect(s.workload!.writesPerSec).toBe(1000);
    expect(s.allocator!.fragmentationRatio).toBeCloseTo(1.1, 9);
    expect(s.redis).toMatchObject({ version: '7.0', saveConfigured: true });
    expect(s.replication).toMatchObject({
      diskless: false,
      disklessSyncDelaySec: 3,
      linkBytesPerSec: 12_000_000,
      replicaLoadBytesPerSec: 4_000_000,
      outputBufferLimit: { hardBytes: 8388608, softBytes: 4194304, softSec: 10 },
    });
    expect(s.simulation).toBeUndefined();
    expect(scenarioFromSyncRun(run({ settled: null })).simulation).toEqual({ horizonSec: 4 });
  });

  it("gives a diskless link the RDB over the child's life, a lower bound", () => {
    expect(scenarioFromSyncRun(run({ diskless: true })).replication!.linkBytesPerSec).toBe(480_000);
  });
});

describe('a sync-probe run → what it measured', () => {
  it("adds the child's Private_Dirty to the master's RSS at the same sample", () => {
    const o = observedFromSyncRun(run({ killed: true }));
    // 240 + 30 at 1 s beats 260 + 5 at 2 s.
    expect(o.peakMasterMemoryBytes).toBe(270e6);
    expect(o).toMatchObject({ memTotalReplicationBuffersPeakBytes: 5e6, forks: 1, fullSyncs: 1, replicaDisconnected: true, sampledSec: 4 });
  });
});
