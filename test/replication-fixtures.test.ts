// The full-sync and AOF-rewrite runs measured by validation/sync-probe.ts on this machine
// (test/fixtures/replication/), held to the mechanism validation/REPLICATION.md reads out of
// the Redis 7.0.15 source. No engine yet: these are the facts a model of the whole fork event
// must reproduce.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

interface Sample {
  t_s: number;
  used_memory: number | null;
  mem_total_replication_buffers: number | null;
  mem_clients_slaves: number | null;
  total_forks: number | null;
  sync_full: number | null;
  connected_slaves: number | null;
  slave0_state: string | null;
  replica_client_omem: number | null;
  aof_rewrite_in_progress: number | null;
  child_private_dirty_bytes: number | null;
  replica_master_link_status: string | null;
  replica_used_memory: number | null;
  writes_acked: number;
  slave_states?: Array<string | null>;
  replica_client_omems?: number[];
  mem_replication_backlog?: number | null;
  more_replicas?: Array<{ master_link_status: string | null; used_memory: number | null }>;
}
interface Fork {
  pid: number;
  start_s: number;
  end_s: number | null;
  peak_private_dirty_bytes: number;
}
interface Run {
  environment: { redis_version: string; kernel: string; thp_system_setting: string; loadavg_at_start: number[] };
  spec: { disklessSyncDelaySec: number; writesPerSec: number };
  config: { master: Record<string, string> };
  load: { replication_bytes_per_write: number };
  summary: { rdb_last_cow_size: number | null; aof_last_cow_size: number | null };
  forks: Fork[];
  log: { master: Array<{ t_s: number; line: string }>; replica: Array<{ t_s: number; line: string }>; replica1?: Array<{ t_s: number; line: string }> };
  series: Sample[];
}

const KiB = 1024;
const load = (name: string): Run => JSON.parse(readFileSync(new URL(`./fixtures/replication/${name}.json`, import.meta.url), 'utf8')) as Run;
const runs = {
  disk: load('disk-sync'),
  diskless: load('diskless-sync'),
  loop: load('disk-sync-obuf-loop'),
  saveRule: load('disk-sync-obuf-save-rule'),
  two: load('disk-sync-two-replicas'),
  aof: load('aof-rewrite'),
};

const num = (x: number | null | undefined) => x ?? 0;
const max = (xs: number[]) => xs.reduce((a, b) => Math.max(a, b), 0);
const delta = (run: Run, field: 'total_forks' | 'sync_full') => num(run.series.at(-1)![field]) - num(run.series[0]![field]);
const peak = (run: Run, field: keyof Sample) => max(run.series.map((s) => (typeof s[field] === 'number' ? (s[field] as number) : 0)));
const within = (run: Run, fork: Fork) => run.series.filter((s) => s.t_s >= fork.start_s && s.t_s <= num(fork.end_s));

/** `client-output-buffer-limit` as CONFIG GET returns it: the replica class is called `slave`. */
function replicaLimit(run: Run) {
  const m = /slave (\d+) (\d+) (\d+)/.exec(run.config.master['client-output-buffer-limit']!)!;
  return { hardBytes: Number(m[1]), softBytes: Number(m[2]), softSec: Number(m[3]) };
}
const backlogBytes = (run: Run) => Number(run.config.master['repl-backlog-size']);
/** The largest block of the shared replication buffer: max(backlog / 16, 16 KiB), src/replication.c feedReplicationBuffer. */
const largestBlockBytes = (run: Run) => Math.max(backlogBytes(run) / 16, 16 * KiB) + 64;

/** Bytes the replica's buffer gains per acknowledged write while the child lives. */
function bufferBytesPerWrite(run: Run, fork: Fork): number {
  const window = within(run, fork).filter((s) => s.replica_client_omem !== null && s.replica_client_omem > 0);
  const first = window[0]!;
  const last = window.at(-1)!;
  return (num(last.replica_client_omem) - num(first.replica_client_omem)) / (last.writes_acked - first.writes_acked);
}

describe('the measured runs', () => {
  it('were taken on redis-server 7.0.15 with the environment recorded', () => {
    for (const run of Object.values(runs)) {
      expect(run.environment.redis_version).toMatch(/v=7\.0\.15/);
      expect(run.environment.kernel).not.toBe('');
      expect(['always', 'madvise', 'never']).toContain(run.environment.thp_system_setting);
      expect(run.environment.loadavg_at_start).toHaveLength(3);
    }
  });
});

describe('a disk-based full sync under the buffer limits', () => {
  const run = runs.disk;
  const [fork] = run.forks;

  it('forks once, at the SYNC, for one full sync', () => {
    expect(run.forks).toHaveLength(1);
    expect(delta(run, 'total_forks')).toBe(1);
    expect(delta(run, 'sync_full')).toBe(1);
    // syncCommand starts the save at once when no child is running.
    expect(fork!.start_s).toBeLessThan(0.2);
  });

  it("feeds the replica's buffer with each write's RESP bytes while the child saves", () => {
    const perWrite = bufferBytesPerWrite(run, fork!);
    expect(Math.abs(perWrite / run.load.replication_bytes_per_write - 1)).toBeLessThan(0.05);
  });

  it('holds the buffer past the save, through the transfer and the load, and frees it once the replica is up', () => {
    const atChildExit = max(within(run, fork!).map((s) => num(s.mem_total_replication_buffers)));
    const peakBuffer = peak(run, 'mem_total_replication_buffers');
    const peakAt = run.series.find((s) => s.mem_total_replication_buffers === peakBuffer)!.t_s;
    expect(peakBuffer).toBeGreaterThanOrEqual(atChildExit);
    expect(peakAt).toBeGreaterThan(num(fork!.end_s));
    const up = run.series.find((s) => s.replica_master_link_status === 'up')!;
    const settled = run.series.filter((s) => s.t_s >= up.t_s + 0.5);
    expect(settled.length).toBeGreaterThan(0);
    for (const s of settled) expect(num(s.mem_total_replication_buffers)).toBeLessThan(backlogBytes(run) + 2 * largestBlockBytes(run));
  });

  it('stays under the soft limit, so nothing is disconnected', () => {
    expect(peak(run, 'replica_client_omem')).toBeLessThan(replicaLimit(run).softBytes);
    expect(run.log.master.some((l) => /output buffer limits/.test(l.line))).toBe(false);
  });

  it("leaves the replica with the master's dataset, and the child's CoW where INFO puts it", () => {
    const before = run.series.find((s) => s.t_s >= -0.5)!;
    const replicaAfter = run.series.at(-1)!.replica_used_memory!;
    expect(Math.abs(replicaAfter / num(before.used_memory) - 1)).toBeLessThan(0.02);
    expect(Math.abs(fork!.peak_private_dirty_bytes / num(run.summary.rdb_last_cow_size) - 1)).toBeLessThan(0.05);
  });
});

describe('a diskless full sync with the default delay', () => {
  const run = runs.diskless;
  const [fork] = run.forks;

  it('forks once, after repl-diskless-sync-delay (checked by the 1 Hz replicationCron)', () => {
    expect(run.forks).toHaveLength(1);
    expect(delta(run, 'sync_full')).toBe(1);
    const delaySec = run.spec.disklessSyncDelaySec;
    expect(fork!.start_s).toBeGreaterThan(delaySec - 1);
    expect(fork!.start_s).toBeLessThan(delaySec + 1.2);
  });

  it('feeds a replica nothing while it waits for the save to start', () => {
    const waiting = run.series.filter((s) => s.t_s > 0.2 && s.t_s < fork!.start_s - 0.05 && s.connected_slaves === 1);
    expect(waiting.length).toBeGreaterThan(20);
    for (const s of waiting) {
      expect(s.replica_client_omem).toBe(0);
      expect(num(s.mem_total_replication_buffers)).toBeLessThan(backlogBytes(run) + 2 * largestBlockBytes(run));
    }
  });

  it('buffers each write from the fork until the replica has loaded and acknowledged', () => {
    expect(Math.abs(bufferBytesPerWrite(run, fork!) / run.load.replication_bytes_per_write - 1)).toBeLessThan(0.05);
    const peakBuffer = peak(run, 'mem_total_replication_buffers');
    const peakAt = run.series.find((s) => s.mem_total_replication_buffers === peakBuffer)!.t_s;
    const loaded = run.log.replica.find((l) => /Done loading RDB/.test(l.line))!.t_s;
    expect(peakAt).toBeGreaterThan(num(fork!.end_s));
    expect(peakAt).toBeLessThanOrEqual(loaded + 0.15);
    expect(peakBuffer).toBeLessThan(replicaLimit(run).softBytes);
  });
});

describe('a disk-based full sync past a low output-buffer limit: a disconnect loop', () => {
  const run = runs.loop;
  const limit = replicaLimit(run);
  const disconnects = run.log.master.filter((l) => /overcoming of output buffer limits/.test(l.line));
  const killed = run.log.master.filter((l) => /Background saving terminated by signal 10/.test(l.line));

  it('is a train of forks, one new full sync per disconnect', () => {
    expect(run.forks.length).toBeGreaterThanOrEqual(2);
    expect(delta(run, 'total_forks')).toBe(run.forks.length);
    expect(delta(run, 'sync_full')).toBeGreaterThanOrEqual(run.forks.length);
    expect(disconnects.length).toBeGreaterThanOrEqual(run.forks.length - 1);
    // No sync ever completes: the replica keeps its empty dataset.
    expect(run.series.some((s) => s.replica_master_link_status === 'up')).toBe(false);
    expect(peak(run, 'replica_used_memory')).toBeLessThan(num(run.series[0]!.used_memory) / 10);
  });

  it('disconnects each time at the hard limit, within one buffer block of it', () => {
    for (const line of disconnects) {
      const omem = Number(/omem=(\d+)/.exec(line.line)![1]);
      expect(omem).toBeGreaterThanOrEqual(limit.hardBytes);
      expect(omem - limit.hardBytes).toBeLessThan(largestBlockBytes(run));
    }
    expect(peak(run, 'replica_client_omem')).toBeLessThan(limit.hardBytes + largestBlockBytes(run));
    // Reached long before the soft limit's seconds could run out.
    const first = run.forks[0]!;
    expect(disconnects[0]!.t_s - first.start_s).toBeLessThan(limit.softSec);
  });

  it('kills the child the dropped replica was waiting for, and forks again for the next SYNC', () => {
    expect(killed.length).toBeGreaterThanOrEqual(run.forks.length - 1);
    for (const [i, line] of disconnects.entries()) {
      const fork = run.forks[i]!;
      expect(line.t_s).toBeGreaterThanOrEqual(fork.start_s);
      expect(num(fork.end_s) - line.t_s).toBeLessThan(0.15);
      expect(num(fork.end_s) - line.t_s).toBeGreaterThan(-0.05);
      const next = run.forks[i + 1];
      if (next) expect(next.start_s - num(fork.end_s)).toBeLessThan(0.5);
    }
  });

  it('gives every fork the life the limit allows at the write rate, and CoW of its own', () => {
    const diskPeak = runs.disk.forks[0]!.peak_private_dirty_bytes;
    for (const fork of run.forks.slice(0, disconnects.length)) {
      const perWrite = bufferBytesPerWrite(run, fork);
      const expectedSec = limit.hardBytes / (perWrite * run.spec.writesPerSec);
      expect(Math.abs((num(fork.end_s) - fork.start_s) / expectedSec - 1)).toBeLessThan(0.2);
      expect(fork.peak_private_dirty_bytes).toBeGreaterThan(0.1 * diskPeak);
      expect(fork.peak_private_dirty_bytes).toBeLessThan(diskPeak);
    }
  });
});

describe('the same low limit with a save rule: the dropped replica leaves the child running', () => {
  const run = runs.saveRule;
  const limit = replicaLimit(run);
  const lines = (pattern: RegExp) => run.log.master.filter((l) => pattern.test(l.line));
  const disconnects = lines(/overcoming of output buffer limits/);
  const asks = lines(/asks for synchronization/);
  const complete = run.forks.filter((f) => f.end_s !== null);

  it('has a save rule that never fires: every fork is a save for SYNC', () => {
    expect(run.config.master.save).toBe('3600 1000000');
    expect(run.forks.length).toBeGreaterThanOrEqual(3);
    expect(delta(run, 'total_forks')).toBe(run.forks.length);
    expect(lines(/Starting BGSAVE for SYNC/)).toHaveLength(run.forks.length);
    expect(delta(run, 'sync_full')).toBe(run.forks.length);
  });

  it('drops the replica at the hard limit, as without the rule', () => {
    expect(disconnects.length).toBeGreaterThanOrEqual(complete.length);
    for (const line of disconnects) {
      const omem = Number(/omem=(\d+)/.exec(line.line)![1]);
      expect(omem).toBeGreaterThanOrEqual(limit.hardBytes);
      expect(omem - limit.hardBytes).toBeLessThan(largestBlockBytes(run));
    }
  });

  it('kills no child: each saves to the end, seconds after its replica was dropped', () => {
    expect(lines(/terminated by signal/)).toHaveLength(0);
    expect(lines(/Background saving terminated with success/).length).toBeGreaterThanOrEqual(complete.length);
    const diskSec = num(runs.disk.forks[0]!.end_s) - runs.disk.forks[0]!.start_s;
    for (const [i, fork] of complete.entries()) {
      const drop = disconnects[i]!;
      expect(drop.t_s).toBeGreaterThan(fork.start_s);
      expect(num(fork.end_s) - drop.t_s).toBeGreaterThan(2);
      expect(Math.abs((num(fork.end_s) - fork.start_s) / diskSec - 1)).toBeLessThan(0.15);
    }
  });

  it("sees the replica's connection close only when the child exits, and the retry cannot attach", () => {
    // The master frees the replica at the limit; the replica reads EOF, reconnects and asks
    // again only once the child, which holds a copy of the socket, has exited.
    const eofs = run.log.replica.filter((l) => /I\/O error reading bulk count/.test(l.line));
    expect(eofs.length).toBeGreaterThanOrEqual(complete.length);
    for (const [i, fork] of complete.entries()) {
      expect(Math.abs(eofs[i]!.t_s - num(fork.end_s))).toBeLessThan(0.05);
      const retry = asks[i + 1]!;
      expect(retry.t_s - disconnects[i]!.t_s).toBeGreaterThan(2);
      expect(Math.abs(retry.t_s - num(fork.end_s))).toBeLessThan(0.05);
    }
    expect(lines(/Can't attach the replica to the current BGSAVE/).length).toBeGreaterThanOrEqual(1);
  });

  it('forks for the retry only after the child has exited, within a cron step or two', () => {
    for (const [i, fork] of complete.entries()) {
      const next = run.forks[i + 1];
      if (!next) continue;
      expect(next.start_s).toBeGreaterThanOrEqual(num(fork.end_s));
      expect(next.start_s - num(fork.end_s)).toBeLessThan(0.15);
    }
  });

  it('holds only the backlog while the dropped replica waits', () => {
    for (const [i, fork] of complete.entries()) {
      const waiting = run.series.filter((s) => s.t_s > disconnects[i]!.t_s + 0.2 && s.t_s < num(fork.end_s) - 0.1);
      expect(waiting.length).toBeGreaterThan(10);
      for (const s of waiting) {
        expect(s.connected_slaves).toBe(0);
        expect(num(s.mem_total_replication_buffers)).toBeLessThan(backlogBytes(run) + 2 * largestBlockBytes(run));
      }
    }
  });
});

describe('a disk-based full sync to two replicas at once', () => {
  const run = runs.two;
  const [fork] = run.forks;

  it('forks once: the second replica attaches to the save the first started', () => {
    expect(run.forks).toHaveLength(1);
    expect(delta(run, 'total_forks')).toBe(1);
    expect(delta(run, 'sync_full')).toBe(2);
    expect(run.log.master.filter((l) => /Waiting for end of BGSAVE for SYNC/.test(l.line))).toHaveLength(1);
    expect(fork!.start_s).toBeLessThan(0.2);
  });

  it('keeps one shared buffer: each omem is the whole of it, counted once in mem_total_replication_buffers', () => {
    const fed = within(run, fork!).filter((s) => s.replica_client_omems?.length === 2 && s.replica_client_omems.every((o) => o > 1e6));
    expect(fed.length).toBeGreaterThan(30);
    for (const s of fed) {
      const [a, b] = s.replica_client_omems!;
      expect(a).toBe(b);
      expect(a).toBe(s.mem_total_replication_buffers);
      // The excess over the backlog, once (INFO's backlog figure moves by a few bytes).
      expect(Math.abs(num(s.mem_clients_slaves) - (num(s.mem_total_replication_buffers) - num(s.mem_replication_backlog)))).toBeLessThan(KiB);
    }
    const peakBuffer = peak(run, 'mem_total_replication_buffers');
    const onePeak = peak(runs.disk, 'mem_total_replication_buffers');
    expect(Math.abs(peakBuffer / onePeak - 1)).toBeLessThan(0.1);
  });

  it('brings both replicas up with the dataset, and the buffer back to the backlog', () => {
    const last = run.series.at(-1)!;
    expect(last.slave_states).toEqual(['online', 'online']);
    expect(last.replica_master_link_status).toBe('up');
    expect(last.more_replicas![0]!.master_link_status).toBe('up');
    const before = num(run.series.find((s) => s.t_s >= -0.5)!.used_memory);
    for (const used of [last.replica_used_memory, last.more_replicas![0]!.used_memory]) expect(Math.abs(num(used) / before - 1)).toBeLessThan(0.02);
    expect(num(last.mem_total_replication_buffers)).toBeLessThan(backlogBytes(run) + 2 * largestBlockBytes(run));
    expect(run.log.replica1!.some((l) => /Finished with success/.test(l.line))).toBe(true);
  });
});

describe('an AOF rewrite on 7.0 (multi-part AOF, rdb preamble)', () => {
  const run = runs.aof;
  const [fork] = run.forks;

  it("forks once, with CoW as the child's Private_Dirty and INFO aof_last_cow_size", () => {
    expect(run.forks).toHaveLength(1);
    expect(delta(run, 'total_forks')).toBe(1);
    expect(Math.abs(fork!.peak_private_dirty_bytes / num(run.summary.aof_last_cow_size) - 1)).toBeLessThan(0.05);
  });

  it('keeps no rewrite buffer in the parent: used_memory does not grow with the writes', () => {
    const before = max(run.series.filter((s) => s.t_s < 0).map((s) => num(s.used_memory)));
    const during = within(run, fork!);
    const written = during.at(-1)!.writes_acked - during[0]!.writes_acked;
    const grown = max(during.map((s) => num(s.used_memory))) - before;
    // On 6.2 the parent would hold every write in 10 MB rewrite-buffer blocks.
    expect(grown).toBeLessThan(0.1 * written * runs.disk.load.replication_bytes_per_write);
    expect(peak(run, 'mem_total_replication_buffers')).toBe(0);
  });
});
