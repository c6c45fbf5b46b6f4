// Thinning a result series for clients that want fewer points than the engine produced.
// Samples are kept at even index steps, plus the first, the last and the one with the highest
// cowBytes (the figure people size memory by), so the peak survives any point budget.
// Columns that measure a quantity per step are summed over the samples they replace, so
// totals such as the fault stall time stay the same.
import { round } from '../engine/numbers.js';
import { seriesColumns, type Series, type SeriesColumn } from '../schemas/result.js';
import { DOWNSAMPLE_MIN_POINTS } from '../schemas/http.js';

const PER_STEP_COLUMNS: ReadonlySet<SeriesColumn> = new Set(['faultStallMs']);

/** Index of the first maximum; 0 for an empty array. */
function argMax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/**
 * Sorted, distinct indices into a series of `length` samples: at most `maxPoints` of them,
 * always including 0, length − 1 and `keep`.
 */
export function downsampleIndices(length: number, maxPoints: number, keep: number): number[] {
  if (!Number.isInteger(maxPoints) || maxPoints < DOWNSAMPLE_MIN_POINTS) {
    throw new RangeError(`maxPoints must be an integer ≥ ${DOWNSAMPLE_MIN_POINTS}, got ${maxPoints}`);
  }
  if (length <= maxPoints) return Array.from({ length }, (_, i) => i);
  const step = (length - 1) / (maxPoints - 1);
  // step > 1, so rounding keeps the indices strictly increasing.
  const indices = Array.from({ length: maxPoints }, (_, i) => Math.round(i * step));
  if (keep <= 0 || keep >= length - 1 || indices.includes(keep)) return indices;
  // keep lies strictly between two neighbours; the nearer one that is not an end point gives way.
  const after = indices.findIndex((index) => index > keep);
  const before = after - 1;
  const replaceBefore = before > 0 && (after === indices.length - 1 || keep - indices[before]! <= indices[after]! - keep);
  indices[replaceBefore ? before : after] = keep;
  return indices;
}


/** The series thinned to at most `maxPoints` samples (see the module comment). */
export function downsampleSeries(series: Series, maxPoints: number): Series {
  const length = series.tSec.length;
  const indices = downsampleIndices(length, maxPoints, argMax(series.cowBytes));
  if (indices.length === length) return series;
  // The events are moments, not samples: they stay as they are.
  const out = { ...series };
  for (const column of seriesColumns(series)) {
    const values = series[column]!;
    if (!PER_STEP_COLUMNS.has(column)) {
      out[column] = indices.map((i) => values[i]!);
      continue;
    }
    out[column] = indices.map((index, j) => {
      if (j === 0) return values[index]!;
      let sum = 0;
      for (let i = indices[j - 1]! + 1; i <= index; i++) sum += values[i]!;
      return round(sum, 6);
    });
  }
  return out;
}
