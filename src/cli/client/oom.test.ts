import { describe, expect, it } from 'vitest';
import { saysOom } from './oom.js';

const summary = (atRisk: boolean | null, level?: string) => ({ oom: { atRisk }, ...(level ? { verdict: { level } } : {}) });

describe('--fail-on-oom', () => {
  it('reads a simulation’s oom.atRisk, or its verdict where there is one', () => {
    expect(saysOom('simulation', { summary: summary(true) })).toBe(true);
    expect(saysOom('simulation', { summary: summary(false) })).toBe(false);
    expect(saysOom('simulation', { summary: summary(null) })).toBe(false);
    expect(saysOom('simulation', { summary: summary(false, 'oom') })).toBe(true);
    expect(saysOom('simulation', { summary: summary(true, 'tight') })).toBe(false);
  });

  it('finds any OOM row of a sweep or scenario of a comparison', () => {
    const rows = [{ values: { a: 1 }, summary: summary(false) }, { values: { a: 2 }, summary: summary(true) }];
    expect(saysOom('sweep', { rows })).toBe(true);
    expect(saysOom('sweep', { rows: rows.slice(0, 1) })).toBe(false);
    expect(saysOom('comparison', { scenarios: [{ summary: summary(false) }, { summary: summary(false, 'oom') }] })).toBe(true);
  });

  it('a host whose peak does not fit; a plan no value satisfies', () => {
    expect(saysOom('host', { peak: { fits: false } })).toBe(true);
    expect(saysOom('host', { peak: { fits: true } })).toBe(false);
    const probes = [{ value: 1, fits: false }, { value: 2, fits: false }];
    expect(saysOom('plan', { answer: { value: null }, probes })).toBe(true);
    // Every value fits: null too, but nothing runs out.
    expect(saysOom('plan', { answer: { value: null }, probes: probes.map((p) => ({ ...p, fits: true })) })).toBe(false);
    expect(saysOom('plan', { answer: { value: 5 }, probes: [{ value: 5, fits: true }, { value: 6, fits: false }] })).toBe(false);
  });
});
