// The result series as CSV: one header row of column names, one row per sample. The events
// list is not per sample and is left to the JSON result.
import { seriesColumns, type Series } from '../schemas/result.js';

export function seriesToCsv(series: Series): string {
  const columns = seriesColumns(series);
  const rows = [columns.join(',')];
  const length = series.tSec.length;
  for (let i = 0; i < length; i++) rows.push(columns.map((c) => String(series[c]![i])).join(','));
  return `${rows.join('\n')}\n`;
}
