import { describe, expect, it } from 'vitest';
import { RatePacer, defaultMaxInflight } from './pacing.js';

describe('RatePacer', () => {
  it('offers floor(rate × t) writes by time t, whatever the tick pattern', () => {
    const pacer = new RatePacer(10_000, 100_000);
    let sent = 0;
    for (const t of [0.0011, 0.0023, 0.05, 0.0501, 0.4, 1.0, 1.25]) sent += pacer.step(t, 0).send;
    expect(sent).toBe(12_500);
    expect(pacer.offered).toBe(12_500);
    expect(pacer.dropped).toBe(0);
  });

  it('sends nothing twice for the same instant and nothing before the first write is due', () => {
    const pacer = new RatePacer(100, 10);
    expect(pacer.step(0.005, 0)).toEqual({ send: 0, drop: 0 });
    expect(pacer.step(0.01, 0)).toEqual({ send: 1, drop: 0 });
    expect(pacer.step(0.01, 0)).toEqual({ send: 0, drop: 0 });
  });

  it('drops what falls due while the window is full, and does not catch up later', () => {
    const pacer = new RatePacer(1000, 100);
    expect(pacer.step(0.5, 40)).toEqual({ send: 60, drop: 440 });
    // The server answered everything: only the writes due since then go out, no burst of the 440.
    expect(pacer.step(0.6, 0)).toEqual({ send: 100, drop: 0 });
    expect(pacer.dropped).toBe(440);
    expect(pacer.offered).toBe(600);
  });

  it('rejects a negative rate and an empty window', () => {
    expect(() => new RatePacer(-1, 10)).toThrow(RangeError);
    expect(() => new RatePacer(10, 0)).toThrow(RangeError);
  });

  it('keeps about 8 MiB of values in flight, between 16 and 5000 commands', () => {
    expect(defaultMaxInflight(100)).toBe(5000);
    expect(defaultMaxInflight(16_384)).toBe(512);
    expect(defaultMaxInflight(4 * 2 ** 20)).toBe(16);
  });
});
