// What each kind of answer looks like as a table and, where the server has no CSV, as CSV.
import type { JobKind } from '../../client/jobs.js';
import { at, columnTable, csvOfObject, csvTable, keyValueTable } from './format.js';

/** What a table leaves out: the series (CSV has it), the links, and the resolved scenario a summary repeats (JSON has it). */
const TABLE_SKIP = new Set(['series', 'links', 'scenario']);

/** One sweep row's columns beside its axis values: the figures a planner reads first. */
const SWEEP_COLUMNS = ['cowPeakBytes', 'peakHostMemoryBytes', 'latestForkUsec', 'oom.peakBytes', 'oom.headroomBytes', 'verdict.level'] as const;

interface SweepRow {
  values: Record<string, unknown>;
  simulationId?: string;
  summary?: Record<string, unknown>;
}

function sweepRows(result: unknown): SweepRow[] | undefined {
  const rows = at(result, 'rows');
  return Array.isArray(rows) && rows.every((row) => row && typeof row === 'object' && typeof (row as SweepRow).values === 'object') ? (rows as SweepRow[]) : undefined;
}

function sweepTable(rows: SweepRow[], csv: boolean): string {
  const axes = [...new Set(rows.flatMap((row) => Object.keys(row.values)))];
  const columns = SWEEP_COLUMNS.filter((column) => rows.some((row) => at(row.summary, column) !== undefined));
  const headers = [...axes, ...columns, 'simulationId'];
  const cells = rows.map((row) => [...axes.map((axis) => row.values[axis]), ...columns.map((column) => at(row.summary, column)), row.simulationId]);
  return csv ? csvTable(headers, cells) : columnTable(headers, cells);
}

/** A result (or a record) as `--format table` prints it. */
export function tableOf(kind: JobKind, body: unknown): string {
  const rows = kind === 'sweep' ? sweepRows(body) : undefined;
  if (rows) return sweepTable(rows, false);
  const summary = kind === 'simulation' ? at(body, 'summary') : undefined;
  if (summary !== undefined && at(body, 'series') !== undefined) return keyValueTable(summary, TABLE_SKIP);
  return keyValueTable(body, TABLE_SKIP);
}

/** A result as CSV, for the kinds whose server answers no CSV of its own. */
export function csvOf(kind: JobKind, body: unknown): string {
  const rows = kind === 'sweep' ? sweepRows(body) : undefined;
  if (rows) return sweepTable(rows, true);
  return csvOfObject(body, TABLE_SKIP);
}
