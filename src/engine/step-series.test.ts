import { describe, expect, it } from 'vitest';
import { appendStep, bytesAt, combineSeries, type MutableStepSeries } from './step-series.js';

describe('step series', () => {
  it('holds each value until the next change, 0 before the first', () => {
    const s: MutableStepSeries = { tSec: [], bytes: [] };
    appendStep(s, 1, 10);
    appendStep(s, 2, 10);
    appendStep(s, 3, 5);
    appendStep(s, 3, 7);
    expect(s).toEqual({ tSec: [1, 3], bytes: [10, 7] });
    expect([0.5, 1, 2.9, 3, 99].map((t) => bytesAt(s, t))).toEqual([0, 10, 10, 7, 7]);
  });

  it('combines series at every time either changes', () => {
    const a = { tSec: [0, 2], bytes: [1, 3] };
    const b = { tSec: [1, 2, 4], bytes: [10, 20, 0] };
    expect(combineSeries([a, b], ([x, y]) => x! + y!)).toEqual({ tSec: [0, 1, 2, 4], bytes: [1, 11, 23, 3] });
  });
});
