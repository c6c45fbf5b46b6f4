import { describe, expect, it } from 'vitest';
import { ScenarioSchema, type ScenarioInput } from '../schemas/scenario.js';
import { planForkEvent } from './fork-event.js';
import { resolveRun } from './resolve.js';
import { simulate } from './simulate.js';
import { exactLimitWarning } from './warnings.js';

const small = { dataset: { usedMemoryBytes: '256MiB', valueBytes: 100 }, workload: { writesPerSec: 1000 }, snapshot: { durationSec: 5 } } satisfies ScenarioInput;
const with_ = (patch: Record<string, unknown>): ScenarioInput => {
  const out: Record<string, unknown> = structuredClone(small);
  for (const [k, v] of Object.entries(patch)) out[k] = { ...(out[k] as object), ...(v as object) };
  return out as ScenarioInput;
};
const run = (input: ScenarioInput) => simulate(ScenarioSchema.parse(input)).summary;
const codes = (input: ScenarioInput) => run(input).warnings.map((w) => w.code);

describe('warnings', () => {
  it('none for a plain BGSAVE', () => {
    expect(run(small).warnings).toEqual([]);
  });

  it('THP asked for but disabled by Redis: only when the kernel says always and Redis opts out', () => {
    const w = run(with_({ kernel: { thp: 'always' } })).warnings;
    expect(w.map((x) => [x.code, x.path])).toEqual([['THP_DISABLED_BY_REDIS', 'redis.disableThp']]);
    expect(codes(with_({ kernel: { thp: 'always' }, redis: { disableThp: false } }))).not.toContain('THP_DISABLED_BY_REDIS');
    expect(codes(with_({ redis: { disableThp: true } }))).toEqual([]);
  });

  it('THP with copy-2m: only when huge pages reach Redis on a pre-5.8 kernel', () => {
    // 2 MiB copies at ~490 µs each also stall the thread for a moment at 1,000 writes/s.
    expect(codes(with_({ kernel: { thp: 'always', thpCow: 'copy-2m' }, redis: { disableThp: false } }))).toEqual(['THP_COPY_2M', 'MAIN_THREAD_SATURATED']);
    expect(codes(with_({ kernel: { thp: 'always', thpCow: 'split-4k' }, redis: { disableThp: false } }))).toEqual([]);
    expect(codes(with_({ kernel: { thp: 'always', thpCow: 'copy-2m' } }))).toEqual(['THP_DISABLED_BY_REDIS']);
  });

  it('main thread saturated: when fewer writes are served than offered', () => {
    // 5.8 µs per write: 200,000 writes/s need 1.16 s of main thread per second before any fault.
    const s = run(with_({ workload: { writesPerSec: 200_000 } }));
    expect(s.writesPerSecAchieved).toBeLessThan(s.writesPerSecOffered);
    const w = s.warnings.find((x) => x.code === 'MAIN_THREAD_SATURATED')!;
    expect(w.path).toBe('workload.writesPerSec');
    expect(w.message).toContain(`${Math.round(s.writesPerSecAchieved).toLocaleString('en-US')} of 200,000 offered writes/s`);
    const calm = run(small);
    expect(calm.writesPerSecAchieved).toBe(calm.writesPerSecOffered);
    expect(calm.warnings.map((x) => x.code)).not.toContain('MAIN_THREAD_SATURATED');
  });

  it('fork stall above the latency budget: only with a budget, and only when a fork passes it', () => {
    const fork = run(small).latestForkUsec;
    const over = run(with_({ workload: { latencyBudgetMs: (fork / 1000) * 0.9 } })).warnings;
    expect(over.map((x) => [x.code, x.path])).toEqual([['FORK_STALL_OVER_BUDGET', 'workload.latencyBudgetMs']]);
    expect(codes(with_({ workload: { latencyBudgetMs: (fork / 1000) * 1.1 } }))).toEqual([]);
    expect(codes(small)).toEqual([]);
  });

  it('first fork after a restart: names the fork and what a re-fork would cost', () => {
    const first = run(with_({ snapshot: { secondsSincePreviousFork: 'none' } }));
    const refork = run(with_({ snapshot: { secondsSincePreviousFork: 0 } }));
    const w = first.warnings.find((x) => x.code === 'FIRST_FORK_ALL_WRITABLE')!;
    expect(w.path).toBe('snapshot.secondsSincePreviousFork');
    expect(first.forkWritableShare).toBe(1);
    expect(first.latestForkUsec).toBeGreaterThan(refork.latestForkUsec);
    const ms = (usec: number) => `${Number((usec / 1000).toPrecision(3))} ms`;
    expect(w.message).toContain(`pauses ${ms(first.latestForkUsec)}, where a fork right after a previous save would pause ${ms(refork.latestForkUsec)}`);
    expect(refork.warnings).toEqual([]);
  });

  it('exact mode limits approached: from half the writes or pages exact mode accepts', () => {
    const resolved = (input: ScenarioInput) => {
      const r = resolveRun(ScenarioSchema.parse(input));
      return exactLimitWarning(r, planForkEvent(r));
    };
    // 1e7 writes/s for 110 s: 1.1e9 of at most 2e9 writes.
    const near = with_({ workload: { writesPerSec: 1e7 }, snapshot: { durationSec: 110 }, simulation: { mode: 'exact' } });
    expect(resolved(near).map((x) => [x.code, x.path])).toEqual([['EXACT_LIMITS_APPROACHED', 'simulation.mode']]);
    expect(resolved(with_({ workload: { writesPerSec: 1e7 }, snapshot: { durationSec: 90 }, simulation: { mode: 'exact' } }))).toEqual([]);
    expect(resolved(with_({ workload: { writesPerSec: 1e7 }, snapshot: { durationSec: 110 } }))).toEqual([]);
  });
});
