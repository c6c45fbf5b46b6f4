import { describe, expect, it } from 'vitest';
import { AOF_BLOCK_ALLOCATED_BYTES, sdsCapacity, simulateAofRewrite, type AofRewriteOptions } from './aof-rewrite-buffer.js';
import { bytesAt } from './step-series.js';

const MiB = 1024 * 1024;
const base: AofRewriteOptions = { redisVersion: '6.2', writesPerSec: 4000, bytesPerWrite: 1063, rewriteSec: 5, rdbBytes: 200e6, diskWriteBytesPerSec: 1e9 };
const streamPerSec = 4000 * 1063;

describe('AOF rewrite buffers', () => {
  it('7.0 keeps none and never stalls', () => {
    const run = simulateAofRewrite({ ...base, redisVersion: '7.0' });
    expect(run.aofRewriteBufferPeakBytes).toBe(0);
    expect(run.finalStallMs).toBe(0);
    expect(run.doneSec).toBe(5);
  });

  it('6.2 allocates each 10 MB block as jemalloc’s 12 MiB class', () => {
    expect(AOF_BLOCK_ALLOCATED_BYTES).toBe(12 * MiB);
  });

  it('6.2: the child holds the diff it received until the stop, the parent a block while writes flow', () => {
    const run = simulateAofRewrite(base);
    // Data every 20 ms or more often: the child's last read loop runs the full second.
    expect(run.stopSendingSec).toBe(6);
    const received = streamPerSec * 6;
    // sds growth above 1 MiB adds 1 MiB; jemalloc rounds the large allocation up to its class.
    const childAt = bytesAt(run.childDiff, 5.99);
    expect(childAt).toBeGreaterThanOrEqual(received - streamPerSec * 0.01);
    expect(childAt).toBeLessThan(1.25 * (received + MiB));
    expect(bytesAt(run.parentBuffer, 3)).toBe(12 * MiB);
    expect(run.aofRewriteBufferPeakBytes).toBeGreaterThan(12 * MiB + received);
    expect(bytesAt(run.childDiff, run.doneSec + 0.01)).toBe(0);
  });

  it('6.2: the parent writes the writes since the stop itself, a stall their size decides', () => {
    const run = simulateAofRewrite(base);
    // The child writes its diff (~25 MB at 1 GB/s) and exits; reaped at the next serverCron.
    expect(run.childExitSec).toBeCloseTo(6 + (streamPerSec * 6) / 1e9, 3);
    expect(run.doneSec).toBeCloseTo(6.1, 6);
    expect(run.remainderBytes).toBeCloseTo(streamPerSec * (run.doneSec - 6), -3);
    expect(run.finalStallMs).toBeCloseTo((run.remainderBytes / 1e9) * 1000, 9);
    // A slower serverCron leaves more behind.
    const slowCron = simulateAofRewrite({ ...base, hz: 1 });
    expect(slowCron.remainderBytes).toBeCloseTo(streamPerSec * 1, -4);
    const slowDisk = simulateAofRewrite({ ...base, diskWriteBytesPerSec: 50e6 });
    expect(slowDisk.finalStallMs).toBeGreaterThan(20 * run.finalStallMs);
  });

  it('6.2: below 50 writes/s the last read loop ends after 20 ms without data', () => {
    expect(simulateAofRewrite({ ...base, writesPerSec: 10 }).stopSendingSec).toBeCloseTo(5.02, 9);
  });

  it('6.2: a child that drains the pipe too rarely leaves blocks piling up in the parent', () => {
    // 2 MB of preamble in 5 s: 40 reads a second of at most 64 KiB, 2.6 MB/s < 4.25 MB/s offered.
    const run = simulateAofRewrite({ ...base, rdbBytes: 2e6, writesPerSec: 20000 });
    expect(bytesAt(run.parentBuffer, 4.9)).toBeGreaterThanOrEqual(8 * 12 * MiB);
  });

  it('grows the child’s sds as sdsMakeRoomFor does', () => {
    expect(sdsCapacity(0, 1000)).toBe(2000);
    expect(sdsCapacity(2000, 1500)).toBe(2000);
    expect(sdsCapacity(2000, 2 * MiB)).toBe(3 * MiB);
  });
});
