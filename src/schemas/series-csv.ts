// The result series as CSV: one header row of column names, one row per sample. The events
// list is not per sample and is left to the JSON result. The summary a person needs with the
// numbers — verdict, warnings, advice — leads as a block of `#` comment lines, so it travels in
// the one stream a pipe or a download carries (pandas `comment='#'`, R `comment.char = '#'`,
// DuckDB `comment = '#'` skip it).
import { formatBytes, formatSeconds } from '../engine/human-units.js';
import { seriesColumns, type Series, type SimulationResult, type Summary } from '../schemas/result.js';

export function seriesToCsv(series: Series): string {
  const columns = seriesColumns(series);
  const rows = [columns.join(',')];
  const length = series.tSec.length;
  for (let i = 0; i < length; i++) rows.push(columns.map((c) => String(series[c]![i])).join(','));
  return `${rows.join('\n')}\n`;
}

/** The summary's verdict, headline figures, warnings and advice as `# ` lines. */
export function summaryCommentLines(summary: Summary): string[] {
  const one = (text: string) => text.replace(/\s*\n\s*/g, ' ');
  // Results stored before the verdict existed have none of it.
  const verdict = summary.verdict as Summary['verdict'] | undefined;
  return [
    `# forkcast ${summary.trigger}: ${one(verdict?.text ?? 'no verdict in this stored result')}`,
    `# fork ${formatSeconds(summary.latestForkUsec / 1e6)}, child ${formatSeconds(summary.rdbBgsaveTimeSec)}, peak CoW ${formatBytes(summary.cowPeakBytes)}, used_memory ${formatBytes(summary.usedMemoryBytes)}`,
    ...(summary.warnings ?? []).map((w) => `# warning ${w.code}: ${one(w.message)}`),
    ...(summary.advice ?? []).map((a, i) => `# advice ${i + 1} ${a.code}: ${one(a.text)}`),
  ];
}

export function resultToCsv(result: SimulationResult): string {
  return `${summaryCommentLines(result.summary).join('\n')}\n${seriesToCsv(result.series)}`;
}
