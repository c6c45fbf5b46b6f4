// The result series as CSV: one header row of column names, one row per sample.
import type { Series } from '../schemas/result.js';

export function seriesToCsv(series: Series): string {
  const columns = Object.keys(series) as Array<keyof Series>;
  const rows = [columns.join(',')];
  const length = series.tSec.length;
  for (let i = 0; i < length; i++) rows.push(columns.map((c) => String(series[c][i])).join(','));
  return `${rows.join('\n')}\n`;
}
