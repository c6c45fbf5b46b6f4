// A quantity over time that holds each value until the next change: the buffers' memory.

/** A step function: `bytes[i]` holds from `tSec[i]` until `tSec[i + 1]`. */
export interface StepSeries {
  tSec: readonly number[];
  bytes: readonly number[];
}

export function bytesAt(series: StepSeries, tSec: number): number {
  let lo = 0;
  let hi = series.tSec.length - 1;
  if (hi < 0 || tSec < series.tSec[0]!) return 0;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (series.tSec[mid]! <= tSec) lo = mid;
    else hi = mid - 1;
  }
  return series.bytes[lo]!;
}

export function seriesPeak(series: StepSeries): number {
  return series.bytes.reduce((a, b) => Math.max(a, b), 0);
}

export interface MutableStepSeries {
  tSec: number[];
  bytes: number[];
}

/** Appends a value at t, dropping repeats and replacing one already recorded at the same t. */
export function appendStep(series: MutableStepSeries, tSec: number, bytes: number): void {
  const last = series.bytes.length - 1;
  if (last >= 0 && series.bytes[last] === bytes) return;
  if (last >= 0 && series.tSec[last] === tSec) series.bytes[last] = bytes;
  else {
    series.tSec.push(tSec);
    series.bytes.push(bytes);
  }
}

/** The step series of f over the inputs' values, changing wherever any input changes. */
export function combineSeries(inputs: readonly StepSeries[], f: (values: number[]) => number): StepSeries {
  const times = [...new Set(inputs.flatMap((s) => s.tSec))].sort((a, b) => a - b);
  const out: MutableStepSeries = { tSec: [], bytes: [] };
  for (const t of times) appendStep(out, t, f(inputs.map((s) => bytesAt(s, t))));
  return out;
}
