import { describe, expect, it } from 'vitest';
import { offeredLoad, offeredWritesBetween } from './offered-load.js';

describe('offered load', () => {
  const load = offeredLoad(100, [
    { fromSec: 1, writesPerSec: 1000 },
    { fromSec: 1.25, writesPerSec: 0 },
    { fromSec: 4, writesPerSec: 50 },
  ]);

  it('integrates the steps exactly, whatever the interval', () => {
    expect(offeredWritesBetween(load, 0, 4)).toBe(350);
    // Half a second at 100/s, then a tenth at 1000/s.
    expect(offeredWritesBetween(load, 0.5, 1.1)).toBeCloseTo(150, 9);
    expect(offeredWritesBetween(load, 2, 3)).toBe(0);
    expect(offeredWritesBetween(load, 4, 10)).toBe(300);
  });

  it('adds up over adjacent intervals', () => {
    let sum = 0;
    for (let t = 0; t < 10; t += 0.125) sum += offeredWritesBetween(load, t, t + 0.125);
    expect(sum).toBeCloseTo(offeredWritesBetween(load, 0, 10), 9);
  });

  it('holds the flat rate without a schedule and knows the peak', () => {
    expect(offeredWritesBetween(offeredLoad(200), 1, 3.5)).toBe(500);
    expect(load.peakWritesPerSec).toBe(1000);
    expect(offeredLoad(200).peakWritesPerSec).toBe(200);
  });
});
