import { describe, expect, it } from 'vitest';
import { blockGeometry } from './replication-buffer.js';
import { bytesAt, simulateFullSync, type FullSyncOptions } from './replication.js';

const MiB = 1024 * 1024;
const BLOCK = 20504;
const PAYLOAD_70 = 20480 - 40;

const base: FullSyncOptions = {
  redisVersion: '7.0',
  writesPerSec: 1000,
  bytesPerWrite: 1063,
  saveDurationSec: 4,
  rdbBytes: 100e6,
  linkBytesPerSec: 100e6, // 1 s transfer
  replicaLoadBytesPerSec: 50e6, // 2 s load
  diskless: false,
  // The arithmetic below holds every write; the socket's share is tested on its own.
  socketBufferBytes: 0,
};
const kinds = (run: ReturnType<typeof simulateFullSync>) => run.events.map((e) => e.kind);

describe('a disk-based full sync that completes', () => {
  const run = simulateFullSync(base);

  it('forks at the request, and transfers and loads after the reaped save', () => {
    expect(run.forks).toEqual([{ startSec: 0, endSec: 4, killed: false, target: 'disk' }]);
    expect(kinds(run)).toEqual(['fork', 'child-exited', 'sync-completed']);
    expect(run.completedAtSec).toBeCloseTo(4 + 1 + 2, 6);
    expect(run.syncOutcome).toBe('completed');
    expect(run.fullSyncs).toBe(1);
  });

  it('holds every write from the fork until the replica has loaded, in whole blocks', () => {
    const streamBytes = 1000 * 1063 * 7;
    expect(run.memTotalReplicationBuffersPeakBytes).toBe(Math.ceil(streamBytes / PAYLOAD_70) * BLOCK);
    expect(bytesAt(run.replicationBuffer, 2)).toBe(Math.ceil((2000 * 1063) / PAYLOAD_70) * BLOCK);
    // Once loaded only the backlog remains.
    expect(bytesAt(run.replicationBuffer, 7.5)).toBeLessThanOrEqual(Math.ceil(MiB / PAYLOAD_70) * BLOCK);
  });

  it('loses what the socket takes once the replica is online', () => {
    const withSocket = simulateFullSync({ ...base, socketBufferBytes: 2e6 });
    const drop = run.memTotalReplicationBuffersPeakBytes - withSocket.memTotalReplicationBuffersPeakBytes;
    expect(Math.abs(drop - 2e6)).toBeLessThan(2 * BLOCK);
  });

  it('follows a write rate that changes with time', () => {
    const quietThenBusy = simulateFullSync({ ...base, writesPerSec: (t) => (t < 5 ? 0 : 2000) });
    const streamBytes = 2000 * 1063 * 2;
    expect(Math.abs(quietThenBusy.memTotalReplicationBuffersPeakBytes - streamBytes)).toBeLessThan(2 * BLOCK);
  });
});

describe('replicas: 6.2 copies per replica, 7.0 shares one buffer', () => {
  const peak = (redisVersion: '6.2' | '7.0', replicas: number) => simulateFullSync({ ...base, redisVersion, replicas }).memTotalReplicationBuffersPeakBytes;

  it('7.0 does not grow with replicas', () => {
    expect(peak('7.0', 3)).toBe(peak('7.0', 1));
  });

  it('6.2 holds the backlog and one copy per replica', () => {
    const one = peak('6.2', 1) - MiB;
    expect(one).toBeGreaterThan(7e6);
    expect(peak('6.2', 3)).toBe(MiB + 3 * one);
  });
});

describe('the diskless fork', () => {
  it('waits the delay in whole unix seconds, checked by the 1 Hz replicationCron', () => {
    const at = (unixFractionAtZeroSec: number, cronPhaseSec: number) =>
      simulateFullSync({ ...base, diskless: true, unixFractionAtZeroSec, cronPhaseSec }).forks[0]!.startSec;
    expect(at(0, 0)).toBeCloseTo(5, 6);
    // unix second 5 begins at t = 4.3; the next replicationCron is at 5.2.
    expect(at(0.7, 0.2)).toBeCloseTo(5.2, 6);
    // unix second 5 begins at t = 4.1; replicationCron at 4.5.
    expect(at(0.9, 0.5)).toBeCloseTo(4.5, 6);
    expect(simulateFullSync({ ...base, diskless: true, disklessSyncDelaySec: 0 }).forks[0]!.startSec).toBe(0);
  });

  it('feeds the waiting replica nothing: only the backlog grows', () => {
    const run = simulateFullSync({ ...base, diskless: true, writesPerSec: 4000 });
    expect(bytesAt(run.replicaOutputBuffer, 4.5)).toBe(0);
    expect(bytesAt(run.replicationBuffer, 4.5)).toBe(Math.ceil(MiB / PAYLOAD_70) * BLOCK);
  });

  it('streams during the save: the child lives the slower of save and transfer', () => {
    const run = simulateFullSync({ ...base, diskless: true, disklessSyncDelaySec: 0, linkBytesPerSec: 20e6 });
    expect(run.forks[0]).toMatchObject({ startSec: 0, endSec: 5, target: 'socket' });
    expect(run.completedAtSec).toBeCloseTo(5 + 2, 6);
  });
});

describe('client-output-buffer-limit', () => {
  const tight = { hardBytes: 4 * MiB, softBytes: 0, softSec: 0 };

  it('is not passed under the defaults', () => {
    expect(simulateFullSync({ ...base, writesPerSec: 4000 }).syncOutcome).toBe('completed');
  });

  it('drops at the first block past the hard limit, kills the child and forks again', () => {
    const run = simulateFullSync({ ...base, outputBufferLimit: tight, horizonSec: 60, maxFullSyncs: 3 });
    const blocks = Math.ceil((4 * MiB) / BLOCK);
    // The last block is added when the stream first overflows the one before it.
    const dropSec = ((blocks - 1) * PAYLOAD_70) / (1000 * 1063);
    const [first, second] = run.events.filter((e) => e.kind === 'replica-disconnected');
    expect(first!.tSec).toBeCloseTo(dropSec, 2);
    expect(second!.tSec - run.forks[1]!.startSec).toBeCloseTo(dropSec, 2);
    expect(run.forks).toHaveLength(3);
    for (const fork of run.forks) expect(fork.killed).toBe(true);
    // Reaped at the next serverCron (hz 10), when the replica has already asked again.
    expect(run.forks[0]!.endSec).toBeCloseTo(Math.ceil(dropSec * 10) / 10, 6);
    expect(run.forks[1]!.startSec).toBe(run.forks[0]!.endSec);
    expect(run.fullSyncs).toBe(3);
    expect(run.syncOutcome).toBe('disconnect-loop');
    expect(run.memTotalReplicationBuffersPeakBytes).toBe(blocks * BLOCK);
  });

  it('stops the loop after maxFullSyncs (5 by default)', () => {
    const run = simulateFullSync({ ...base, outputBufferLimit: tight });
    expect(run.fullSyncs).toBe(5);
    expect(run.forks).toHaveLength(5);
    expect(run.events.filter((e) => e.kind === 'replica-disconnected')).toHaveLength(5);
  });

  it('drops on the soft limit alone once it has held more than softSec whole seconds', () => {
    const soft = { hardBytes: 0, softBytes: 2 * MiB, softSec: 2 };
    const run = simulateFullSync({ ...base, outputBufferLimit: soft, maxFullSyncs: 1 });
    const reachedSec = ((Math.ceil((2 * MiB) / BLOCK) - 1) * PAYLOAD_70) / (1000 * 1063);
    const drop = run.events.find((e) => e.kind === 'replica-disconnected')!;
    // Seen at unix second floor(reached); dropped in the first check of unix second floor(reached) + 3.
    expect(drop.tSec).toBeGreaterThanOrEqual(Math.floor(reachedSec) + 3);
    expect(drop.tSec).toBeLessThan(Math.floor(reachedSec) + 3 + 0.1);
    expect(simulateFullSync({ ...base, outputBufferLimit: { ...soft, softSec: 10 } }).syncOutcome).toBe('completed');
  });

  it('with a save rule the child runs on, and the replica asks again only when it exits', () => {
    const run = simulateFullSync({ ...base, outputBufferLimit: tight, saveRuleSet: true, maxFullSyncs: 2, horizonSec: 6 });
    expect(run.forks[0]).toMatchObject({ startSec: 0, endSec: 4, killed: false });
    // The child held the replica's socket: EOF at its exit, PSYNC 1 ms later, and a fork at once
    // since the cron at 4.0 has reaped the child.
    expect(run.forks[1]!.startSec).toBeCloseTo(4.001, 9);
    expect(kinds(run).slice(0, 4)).toEqual(['fork', 'replica-disconnected', 'child-exited', 'fork']);
    expect(run.fullSyncs).toBe(2);
  });

  it('without a save rule the killed child frees the socket: the replica asks reconnectSec after the drop', () => {
    // hz 500 (its maximum) reaps the killed child within 2 ms; the fork then waits for the request.
    const run = simulateFullSync({ ...base, outputBufferLimit: tight, maxFullSyncs: 2, horizonSec: 6, hz: 500 });
    const drop = run.events.find((e) => e.kind === 'replica-disconnected')!;
    expect(run.forks[0]!.endSec! - drop.tSec).toBeLessThanOrEqual(0.002 + 1e-9);
    expect(run.forks[1]!.startSec).toBeCloseTo(drop.tSec + 0.015, 6);
  });

  it('a diskless child is killed when its last replica drops, save rule or not', () => {
    const run = simulateFullSync({ ...base, saveDurationSec: 8, diskless: true, disklessSyncDelaySec: 0, outputBufferLimit: tight, saveRuleSet: true, maxFullSyncs: 1 });
    expect(run.forks[0]!.killed).toBe(true);
    expect(run.forks[0]!.endSec).toBeCloseTo(4, 6);
  });

  it('7.0 raises a hard limit below the backlog to it', () => {
    const run = simulateFullSync({ ...base, outputBufferLimit: { hardBytes: MiB / 2, softBytes: 0, softSec: 0 }, maxFullSyncs: 1 });
    const drop = run.events.find((e) => e.kind === 'replica-disconnected')!;
    expect(drop.tSec).toBeCloseTo(((Math.ceil(MiB / BLOCK) - 1) * PAYLOAD_70) / (1000 * 1063), 2);
    expect(blockGeometry('7.0', 1063).accountedBytes).toBe(BLOCK);
  });
});

describe('no replica', () => {
  it('is not applicable and forks nothing', () => {
    const run = simulateFullSync({ ...base, replicas: 0 });
    expect(run.syncOutcome).toBe('not-applicable');
    expect(run.forks).toHaveLength(0);
  });
});

describe('fullSyncs counts every replica’s request, as INFO sync_full does', () => {
  it('three replicas asking together are three, and each round of a loop counts them all', () => {
    expect(simulateFullSync({ ...base, replicas: 3 }).fullSyncs).toBe(3);
    const loop = simulateFullSync({ ...base, replicas: 2, outputBufferLimit: { hardBytes: 4 * MiB, softBytes: 0, softSec: 0 }, maxFullSyncs: 3 });
    expect(loop.forks).toHaveLength(3);
    expect(loop.fullSyncs).toBe(6);
  });
});

describe("the replica's memory", () => {
  const dataset = 150e6;
  const at = (run: ReturnType<typeof simulateFullSync>, t: number) => bytesAt(run.replicaMemory, t);

  it('disabled: empties, then loads the file after the transfer, to the dataset', () => {
    const run = simulateFullSync({ ...base, datasetBytes: dataset, replicaInitialBytes: dataset });
    // The old copy stays through the save and the transfer (4 + 1 s), goes, and the load refills it.
    expect(at(run, 4.9)).toBe(dataset);
    expect(at(run, 5.01)).toBeLessThan(0.01 * dataset);
    expect(Math.abs(at(run, 6) / dataset - 0.5)).toBeLessThan(0.02);
    expect(at(run, run.completedAtSec!)).toBe(dataset);
    expect(run.replicaMemoryPeakBytes).toBe(dataset);
  });

  it('a new replica starts from nothing', () => {
    const run = simulateFullSync({ ...base, datasetBytes: dataset });
    expect(at(run, 0)).toBe(0);
    expect(at(run, 4.9)).toBe(0);
    expect(run.replicaMemoryPeakBytes).toBe(dataset);
  });

  it('swapdb: the old dataset and the new one together until the swap, from a disk-based master', () => {
    const run = simulateFullSync({ ...base, datasetBytes: dataset, replicaInitialBytes: dataset, replicaDisklessLoad: 'swapdb' });
    // Transfer and load overlap at the slower of link (100 MB/s) and load (50 MB/s): 2 s, not 1 + 2.
    expect(run.completedAtSec).toBeCloseTo(4 + 2, 6);
    expect(run.replicaMemoryPeakBytes).toBe(2 * dataset);
    expect(Math.abs(at(run, 5) / dataset - 1.5)).toBeLessThan(0.02);
    expect(at(run, run.completedAtSec!)).toBe(dataset);
    // The master holds the stream 1 s less than when the replica loads a file.
    const disabled = simulateFullSync(base);
    const held = run.memTotalReplicationBuffersPeakBytes / disabled.memTotalReplicationBuffersPeakBytes;
    expect(Math.abs(held - 6 / 7)).toBeLessThan(0.01);
  });

  it('swapdb from a diskless master: loads while the child streams, and paces it', () => {
    const diskless = { ...base, diskless: true, disklessSyncDelaySec: 0, datasetBytes: dataset, replicaDisklessLoad: 'swapdb' as const };
    const run = simulateFullSync(diskless);
    // The child saves for 4 s; the replica takes 2 s to load: done when the child is reaped.
    expect(run.forks[0]).toMatchObject({ startSec: 0, endSec: 4 });
    expect(run.completedAtSec).toBeCloseTo(4, 2);
    expect(Math.abs(at(run, 2) / dataset - 0.5)).toBeLessThan(0.02);
    const slowLoad = simulateFullSync({ ...diskless, replicaLoadBytesPerSec: 10e6 });
    expect(slowLoad.forks[0]!.endSec).toBeCloseTo(10, 6);
    // disabled writes the file as fast as the link and loads it after the child.
    expect(simulateFullSync({ ...diskless, replicaDisklessLoad: 'disabled' }).completedAtSec).toBeCloseTo(4 + 2, 2);
  });

  it('swapdb discards the half-loaded db when the link drops; the old one stays', () => {
    const run = simulateFullSync({
      ...base,
      diskless: true,
      disklessSyncDelaySec: 0,
      datasetBytes: dataset,
      replicaInitialBytes: dataset,
      replicaDisklessLoad: 'swapdb',
      outputBufferLimit: { hardBytes: 2 * MiB, softBytes: 0, softSec: 0 },
      maxFullSyncs: 1,
    });
    const drop = run.events.find((e) => e.kind === 'replica-disconnected')!;
    expect(at(run, drop.tSec - 0.01)).toBeGreaterThan(1.3 * dataset);
    expect(at(run, drop.tSec + 0.01)).toBe(dataset);
  });

  it('a file load runs on past a drop, and the replica asks again only once loaded', () => {
    const slow = { ...base, replicaLoadBytesPerSec: 20e6, datasetBytes: dataset, outputBufferLimit: { hardBytes: 8 * MiB, softBytes: 0, softSec: 0 }, maxFullSyncs: 2, horizonSec: 12 };
    const run = simulateFullSync(slow);
    // Transfer ends at 5 s; the 5 s load ends at 10 s; the drop comes at 8 MiB of stream, ~8 s.
    const drop = run.events.find((e) => e.kind === 'replica-disconnected')!;
    expect(drop.tSec).toBeGreaterThan(5);
    expect(drop.tSec).toBeLessThan(10);
    expect(at(run, 10.0005)).toBe(dataset);
    expect(run.forks[1]!.startSec).toBeCloseTo(10.001, 6);
  });

  it('grows in steps of 2 MiB of RDB, so the series stays small for a large RDB', () => {
    const run = simulateFullSync({ ...base, rdbBytes: 1e9, replicaLoadBytesPerSec: 250e6, datasetBytes: 1.3e9 });
    expect(run.replicaMemory.tSec.length).toBeLessThanOrEqual(Math.ceil(1e9 / (2 * MiB)) + 3);
    expect(run.replicaMemoryPeakBytes).toBe(1.3e9);
  });

  it('records nothing without a replica', () => {
    const run = simulateFullSync({ ...base, replicas: 0, replicaInitialBytes: dataset });
    expect(run.replicaMemory.tSec).toHaveLength(0);
    expect(run.replicaMemoryPeakBytes).toBe(0);
  });
});
