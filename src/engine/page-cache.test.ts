import { fc, test as fcTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { REDIS_AUTOSYNC_BYTES, simulatePageCache, type PageCacheOptions } from './page-cache.js';
import { bytesAt } from './step-series.js';

const MiB = 1024 * 1024;
const FILE = 100 * MiB;
const save = { startSec: 0, endSec: 5, killed: false, writesFile: true };
const base: PageCacheOptions = { children: [save], rdbBytes: FILE, saveDurationSec: 5, onTmpfs: false, incrementalFsync: true, horizonSec: 10 };

describe('one save to disk', () => {
  it('the file grows with the save and stays cached after it', () => {
    const run = simulatePageCache(base);
    expect(bytesAt(run.cached, 0)).toBeGreaterThan(0);
    // Each step holds the value it ends with: at 2.45 s the step [2.4, 2.5) holds 2.5 s's half file.
    expect(bytesAt(run.cached, 2.45)).toBe(FILE / 2);
    expect(bytesAt(run.cached, 2.5)).toBeGreaterThan(FILE / 2);
    expect(bytesAt(run.cached, 5)).toBe(FILE);
    expect(bytesAt(run.cached, 9.9)).toBe(FILE);
    expect(run.peakCachedBytes).toBe(FILE);
    expect(run.peakShmemBytes).toBe(0);
  });

  it('rounds to whole pages', () => {
    expect(simulatePageCache({ ...base, rdbBytes: 256_740_012 }).peakCachedBytes).toBe(256_741_376);
  });

  it('with incremental fsync at most one 4 MiB chunk is dirty, none after the save', () => {
    const run = simulatePageCache(base);
    expect(run.peakDirtyBytes).toBe(REDIS_AUTOSYNC_BYTES);
    expect(bytesAt(run.dirty, 3)).toBe(REDIS_AUTOSYNC_BYTES);
    expect(bytesAt(run.dirty, 5)).toBe(0);
  });

  it('without it all that is written is dirty until the final fsync', () => {
    const run = simulatePageCache({ ...base, incrementalFsync: false });
    expect(bytesAt(run.dirty, 2.45)).toBe(FILE / 2);
    expect(run.peakDirtyBytes).toBe(FILE);
    expect(bytesAt(run.dirty, 5)).toBe(0);
  });

  it('on tmpfs every page is shmem and none is dirty', () => {
    const run = simulatePageCache({ ...base, onTmpfs: true, incrementalFsync: false });
    expect(run.shmem).toEqual(run.cached);
    expect(run.peakShmemBytes).toBe(FILE);
    expect(run.peakDirtyBytes).toBe(0);
  });
});

describe('the file a save replaces', () => {
  it('is dropped at the rename: two files just before it, one after', () => {
    const run = simulatePageCache({ ...base, cachedAtForkBytes: FILE });
    expect(bytesAt(run.cached, 0)).toBeGreaterThan(FILE);
    expect(run.peakCachedBytes).toBe(2 * FILE);
    expect(bytesAt(run.cached, 4.95)).toBe(2 * FILE);
    expect(bytesAt(run.cached, 5)).toBe(FILE);
  });

  it('outlives the rename while something holds it open', () => {
    const run = simulatePageCache({ ...base, cachedAtForkBytes: FILE, cachedAtForkHeldUntilSec: 7 });
    expect(bytesAt(run.cached, 6)).toBe(2 * FILE);
    expect(bytesAt(run.cached, 7)).toBe(FILE);
  });

  it('stays when no save succeeds', () => {
    const run = simulatePageCache({ ...base, children: [{ ...save, endSec: 2, killed: true }], cachedAtForkBytes: FILE });
    expect(bytesAt(run.cached, 9)).toBe(FILE);
  });
});

describe('children that write no file, or do not finish', () => {
  it('a diskless sync’s child leaves nothing in the cache', () => {
    const run = simulatePageCache({ ...base, children: [{ ...save, writesFile: false }] });
    expect(run.peakCachedBytes).toBe(0);
  });

  it('a killed child’s temp file is freed at the kill, and the next child starts from nothing', () => {
    const children = [
      { startSec: 0, endSec: 2, killed: true, writesFile: true },
      { startSec: 2.5, endSec: 7.5, killed: false, writesFile: true },
    ];
    const run = simulatePageCache({ ...base, children });
    expect(bytesAt(run.cached, 1.95)).toBe((2 / 5) * FILE);
    expect(bytesAt(run.cached, 2)).toBe(0);
    expect(bytesAt(run.cached, 2.45)).toBe(0);
    expect(bytesAt(run.cached, 4.95)).toBe(FILE / 2);
    expect(bytesAt(run.cached, 7.5)).toBe(FILE);
    expect(run.peakCachedBytes).toBe(FILE);
  });

  it('a child alive at the horizon holds its partial file', () => {
    const run = simulatePageCache({ ...base, children: [{ ...save, endSec: null }], horizonSec: 3 });
    expect(bytesAt(run.cached, 3)).toBe((3 / 5) * FILE);
  });
});

describe('a running AOF', () => {
  it('grows the cache by its appends, one second of them dirty', () => {
    const run = simulatePageCache({ ...base, children: [], appendBytesPerSec: MiB, horizonSec: 10 });
    expect(bytesAt(run.cached, 10)).toBe(10 * MiB);
    expect(run.peakDirtyBytes).toBe(MiB);
  });
});

describe('invariants', () => {
  const child = fc.record({
    startSec: fc.double({ min: 0, max: 20, noNaN: true }),
    durationSec: fc.double({ min: 0, max: 10, noNaN: true }),
    killed: fc.boolean(),
    writesFile: fc.boolean(),
  });
  fcTest.prop([fc.array(child, { maxLength: 4 }), fc.boolean(), fc.boolean(), fc.integer({ min: 0, max: 3 * FILE })])(
    'dirty ≤ cached; cached ≤ the old file + one file per writer; nothing negative',
    (specs, onTmpfs, incrementalFsync, cachedAtForkBytes) => {
      const children = specs.map((c) => ({ startSec: c.startSec, endSec: c.startSec + c.durationSec, killed: c.killed, writesFile: c.writesFile }));
      const run = simulatePageCache({ children, rdbBytes: FILE, saveDurationSec: 5, onTmpfs, incrementalFsync, cachedAtForkBytes, horizonSec: 40 });
      const bound = cachedAtForkBytes + (1 + children.length) * FILE + 4096;
      for (let t = 0; t <= 40; t += 0.37) {
        const cached = bytesAt(run.cached, t);
        expect(bytesAt(run.dirty, t)).toBeLessThanOrEqual(cached);
        expect(bytesAt(run.shmem, t)).toBe(onTmpfs ? cached : 0);
        expect(cached).toBeGreaterThanOrEqual(0);
        expect(cached).toBeLessThanOrEqual(bound);
      }
      expect(run.peakCachedBytes).toBeLessThanOrEqual(bound);
    },
  );
});
