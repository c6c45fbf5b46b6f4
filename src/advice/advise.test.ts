import { describe, expect, it } from 'vitest';
import { simulate } from '../engine/simulate.js';
import { MAX_ADVICE, SimulationResultSchema, type Advice } from '../schemas/result.js';
import { ScenarioSchema, type ScenarioInput } from '../schemas/scenario.js';
import { forecast } from './forecast.js';

/** The scenario input with the advice's changes set by hand, in expected mode. */
function byHand(input: ScenarioInput, advice: Advice): ScenarioInput {
  const copy = JSON.parse(JSON.stringify(input)) as Record<string, Record<string, unknown>>;
  for (const { path, to } of advice.changes) {
    const keys = path.split('.');
    let at: Record<string, unknown> = copy;
    for (const k of keys.slice(0, -1)) at = (at[k] ??= {}) as Record<string, unknown>;
    if (to === null) delete at[keys.at(-1)!];
    else at[keys.at(-1)!] = to;
  }
  copy.simulation = { ...copy.simulation, mode: 'expected' };
  return copy as unknown as ScenarioInput;
}

const summaryOf = (input: ScenarioInput) => simulate(ScenarioSchema.parse(input)).summary;
const adviceOf = (input: ScenarioInput) => forecast(ScenarioSchema.parse(input)).summary.advice;

/** Every advice's figures are those of the engine run on the changed scenario. */
function expectReproduced(input: ScenarioInput, advice: readonly Advice[]): void {
  for (const a of advice) {
    const direct = summaryOf(byHand(input, a));
    expect(a.peakBytes, a.code).toBe(direct.oom.peakBytes);
    expect(a.verdict, a.code).toEqual(direct.verdict);
    expect(a.latestForkUsec, a.code).toBe(direct.latestForkUsec);
  }
}

// 24 GiB of 100 B values on a 32 GiB VM at 8,000 SET/s, on a pre-5.8 kernel with THP always.
const THP_ASKED: ScenarioInput = {
  dataset: { usedMemoryBytes: '24GiB', valueBytes: 100 },
  workload: { writesPerSec: 8000 },
  kernel: { thp: 'always', thpCow: 'copy-2m' },
  host: { memoryBytes: '32GiB' },
};
const THP_REACHES_REDIS: ScenarioInput = { ...THP_ASKED, redis: { disableThp: false } };

describe('the verdict on a 24 GiB instance on a 32 GiB host with THP asked for', () => {
  it('as given, Redis opts out of THP: it survives with 2% headroom, tight, and says THP was switched off', () => {
    const s = forecast(ScenarioSchema.parse(THP_ASKED)).summary;
    expect(s.hugePagesActive).toBe(false);
    expect(s.oom.atRisk).toBe(false);
    expect(s.verdict.level).toBe('tight');
    expect(s.verdict.text).toBe('SURVIVES: peak 31.3 GiB of 32 GiB, 0.7 GiB (2.1%) headroom, below the 10% margin');
    expect(s.verdict.headroomBytes).toBe(s.oom.headroomBytes);
    expect(s.verdict.headroomPercent).toBeCloseTo((100 * s.oom.headroomBytes!) / s.oom.limitBytes!, 3);
    expect(s.warnings.map((w) => w.code)).toEqual(['THP_DISABLED_BY_REDIS']);
    expect(s.warnings[0]!.path).toBe('redis.disableThp');
  });

  it('with THP reaching Redis it goes over the limit about 2 s after the fork, and the advice undoes it', () => {
    const s = forecast(ScenarioSchema.parse(THP_REACHES_REDIS)).summary;
    expect(s.oom.atRisk).toBe(true);
    expect(s.verdict.level).toBe('oom');
    expect(s.oom.firstExceededAtSec).toBeCloseTo(1.95, 2);
    expect(s.verdict.text).toBe('OOM at 1.9 s: peak 47.7 GiB of 32 GiB');
    expect(s.verdict.headroomBytes).toBe(s.oom.headroomBytes);
    expect(s.warnings.map((w) => w.code)).toContain('THP_COPY_2M');
    const codes = s.advice.map((a) => a.code);
    expect(codes).toContain('NEWER_KERNEL');
    expect(codes).toContain('THP_OFF');
    // Either brings it back to the peak it has on 4 KiB pages: survives, tight.
    const off = s.advice.find((a) => a.code === 'THP_OFF')!;
    expect(off.changes).toEqual([{ path: 'kernel.thp', from: 'always', to: 'never' }]);
    expect(off.verdict.level).toBe('tight');
    expect(off.peakChangeBytes).toBe(off.peakBytes - s.oom.peakBytes);
    expect(off.text).toMatch(/^Turn THP off \(kernel\.thp never\): peak 47\.7 GiB → 31\.\d GiB \(−16\.\d GiB\), fork [\d.]+ ms; SURVIVES: /);
    expectReproduced(THP_REACHES_REDIS, s.advice);
  });
});

describe('advice', () => {
  it('is ordered by the peak it leads to, at most a handful, each lowering the peak by 1% or more or improving the verdict', () => {
    for (const input of [THP_ASKED, THP_REACHES_REDIS]) {
      const base = summaryOf(input);
      const advice = adviceOf(input);
      expect(advice.length).toBeGreaterThan(0);
      expect(advice.length).toBeLessThanOrEqual(MAX_ADVICE);
      const peaks = advice.map((a) => a.peakBytes);
      expect(peaks).toEqual([...peaks].sort((a, b) => a - b));
      for (const a of advice) expect(a.peakBytes <= base.oom.peakBytes * 0.99 || a.verdict.level !== base.verdict.level).toBe(true);
    }
  });

  it('a lower maxmemory: a dataset that leaves the margin and little more', () => {
    const advice = adviceOf(THP_ASKED);
    const lower = advice.find((a) => a.code === 'LOWER_MAXMEMORY')!;
    expect(lower.verdict.level).toBe('ok');
    expect(lower.verdict.headroomPercent!).toBeGreaterThanOrEqual(10);
    expect(lower.verdict.headroomPercent!).toBeLessThan(12);
    expect(lower.changes.map((c) => c.path)).toEqual(['dataset.usedMemoryBytes']);
    expect(lower.changes[0]!.to as number).toBeLessThan(24 * 2 ** 30);
    expectReproduced(THP_ASKED, advice);
  });

  it('a faster save only with writes to copy and a save slower than 500 MB/s', () => {
    const writing = { dataset: { usedMemoryBytes: '4GiB', valueBytes: 100 }, workload: { writesPerSec: 20000 }, host: { memoryBytes: '6GiB' } } satisfies ScenarioInput;
    const faster = adviceOf(writing).find((a) => a.code === 'FASTER_SAVE')!;
    expect(faster.changes).toEqual([{ path: 'snapshot.throughputBytesPerSec', from: null, to: 500e6 }]);
    expectReproduced(writing, [faster]);
    expect(adviceOf({ ...writing, snapshot: { throughputBytesPerSec: 600e6 } }).map((a) => a.code)).not.toContain('FASTER_SAVE');
    expect(adviceOf({ ...writing, workload: { writesPerSec: 0 } })).toEqual([]);
  });

  it('staggering and Redis 7 for a 6.2 master full-syncing three replicas; Redis 7 for large values on 6.2', () => {
    const sync = {
      dataset: { usedMemoryBytes: '4GiB', valueBytes: 1000 },
      workload: { writesPerSec: 20000 },
      redis: { version: '6.2' },
      snapshot: { trigger: 'full-sync' },
      replication: { replicas: 3 },
      host: { memoryBytes: '6GiB' },
    } satisfies ScenarioInput;
    const advice = adviceOf(sync);
    expect(advice.find((a) => a.code === 'STAGGER_REPLICAS')!.changes).toEqual([{ path: 'replication.replicas', from: 3, to: 1 }]);
    expect(advice.find((a) => a.code === 'REDIS_7')!.changes).toEqual([
      { path: 'redis.version', from: '6.2', to: '7.0' },
      { path: 'replication.diskless', from: null, to: false },
    ]);
    expectReproduced(sync, advice);
    const blobs = { dataset: { usedMemoryBytes: '4GiB', valueBytes: 65536 }, workload: { writesPerSec: 2000 }, redis: { version: '6.2' }, host: { memoryBytes: '6GiB' } } satisfies ScenarioInput;
    const upgrade = adviceOf(blobs).find((a) => a.code === 'REDIS_7')!;
    expect(upgrade.changes).toEqual([{ path: 'redis.version', from: '6.2', to: '7.0' }]);
    expect(upgrade.peakChangeBytes).toBeLessThan(-0.1 * 2 ** 30);
    expectReproduced(blobs, [upgrade]);
    // Small values: dismiss frees nothing a write copies, so no upgrade is advised for a BGSAVE.
    expect(adviceOf({ ...blobs, dataset: { usedMemoryBytes: '4GiB', valueBytes: 100 } }).map((a) => a.code)).not.toContain('REDIS_7');
  });

  it('diskless sync where the disk-based sync keeps its RDB in memory (tmpfs in a container)', () => {
    const tmpfs = {
      dataset: { usedMemoryBytes: '2GiB', valueBytes: 1000 },
      workload: { writesPerSec: 2000 },
      snapshot: { trigger: 'full-sync', rdbOnTmpfs: true },
      replication: { diskless: false },
      host: { memoryBytes: '4GiB', kind: 'container' },
    } satisfies ScenarioInput;
    const advice = adviceOf(tmpfs);
    expect(advice[0]!.code).toBe('DISKLESS_SYNC');
    expect(advice[0]!.changes).toEqual([{ path: 'replication.diskless', from: false, to: true }]);
    expect(advice[0]!.verdict.level).toBe('ok');
    expectReproduced(tmpfs, advice);
    // On disk, a VM reclaims the file's pages: diskless changes nothing the limit holds.
    expect(adviceOf({ ...tmpfs, snapshot: { trigger: 'full-sync' }, host: { memoryBytes: '4GiB' } }).map((a) => a.code)).not.toContain('DISKLESS_SYNC');
  });

  it('stops on a cancellation while it re-runs', () => {
    let mainRunDone = false;
    const run = () =>
      forecast(ScenarioSchema.parse(THP_ASKED), {
        onProgress: (fraction) => {
          if (fraction >= 1) mainRunDone = true;
        },
        shouldCancel: () => mainRunDone,
      });
    expect(run).toThrow(expect.objectContaining({ code: 'CANCELLED' }));
    expect(mainRunDone).toBe(true);
  });

  it('none when nothing applies or helps', () => {
    expect(adviceOf({ dataset: { usedMemoryBytes: '256MiB', valueBytes: 100 }, host: { memoryBytes: '8GiB' } })).toEqual([]);
  });

  it('for an exact-mode scenario, is computed in expected mode against the expected-mode peak, and says so', () => {
    const exact = { ...THP_REACHES_REDIS, dataset: { usedMemoryBytes: '1GiB', valueBytes: 100 }, workload: { writesPerSec: 2000 }, snapshot: { durationSec: 10 }, host: { memoryBytes: '1.2GiB' }, simulation: { mode: 'exact' } } satisfies ScenarioInput;
    const expectedBase = summaryOf({ ...exact, simulation: { mode: 'expected' } });
    const advice = adviceOf(exact);
    expect(advice.length).toBeGreaterThan(0);
    for (const a of advice) {
      expect(a.text).toMatch(/\(computed in expected mode\)$/);
      expect(a.peakChangeBytes).toBe(a.peakBytes - expectedBase.oom.peakBytes);
    }
    expectReproduced(exact, advice);
  });

  it('sits in the summary beside the warnings and passes the result schema', () => {
    const result = forecast(ScenarioSchema.parse(THP_ASKED));
    const keys = Object.keys(result.summary);
    expect(keys.indexOf('advice')).toBe(keys.indexOf('warnings') + 1);
    expect(SimulationResultSchema.parse(result).summary.advice).toEqual(result.summary.advice);
  });
});
