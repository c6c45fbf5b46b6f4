// What each kind of answer looks like as a table and, where the server has no CSV, as CSV.
import type { BodyKind } from '../../client/bodies.js';
import { at, columnTable, csvOfObject, csvTable, humanValue, keyValueTable } from './format.js';

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

interface ComparisonItem {
  simulationId: string;
  name: string | null;
  status: string;
  summary: Record<string, unknown> | null;
  differences: Record<string, number> | null;
}

function comparisonItems(body: unknown): ComparisonItem[] | undefined {
  const items = at(body, 'items');
  return Array.isArray(items) && items.every((item) => item && typeof item === 'object' && 'simulationId' in item) ? (items as ComparisonItem[]) : undefined;
}

const itemName = (item: ComparisonItem, i: number) => item.name ?? `#${i + 1} ${item.simulationId}`;

/** The headline figures of each scenario, then each field that differs, against the first. */
function comparisonTable(items: ComparisonItem[]): string {
  const columns = SWEEP_COLUMNS.filter((column) => items.some((item) => at(item.summary, column) !== undefined));
  const first = columnTable(
    ['scenario', 'status', ...columns, 'simulationId'],
    items.map((item, i) => [itemName(item, i), item.status, ...columns.map((column) => at(item.summary, column)), item.simulationId]),
  );
  const others = items.slice(1);
  const fields = [...new Set(others.flatMap((item) => Object.keys(item.differences ?? {})))].filter((field) =>
    others.some((item) => (item.differences?.[field] ?? 0) !== 0),
  );
  if (fields.length === 0) return first;
  const signed = (field: string, value: number | undefined) => {
    if (value === undefined) return undefined;
    const text = humanValue(field.slice(field.lastIndexOf('.') + 1), value);
    return value > 0 ? `+${text}` : text;
  };
  const differences = columnTable(
    ['field', ...others.map((item, i) => itemName(item, i + 1))],
    fields.map((field) => [field, ...others.map((item) => signed(field, item.differences?.[field]))]),
  );
  return `${first}\ndifferences against ${itemName(items[0]!, 0)}:\n${differences}`;
}

/** Every scalar of a summary by dotted name; lists (a fork event's children) stay in the JSON. */
function scalarFields(summary: Record<string, unknown> | null): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  const visit = (value: unknown, name: string) => {
    if (Array.isArray(value)) return;
    if (value !== null && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) visit(inner, name ? `${name}.${key}` : key);
    } else fields[name] = value;
  };
  if (summary) visit(summary, '');
  return fields;
}

/** One line per scenario: its name, simulation and status, then every scalar summary field. */
function comparisonCsv(items: ComparisonItem[]): string {
  const flat = items.map((item) => scalarFields(item.summary));
  const names = [...new Set(flat.flatMap((fields) => Object.keys(fields)))];
  return csvTable(
    ['name', 'simulationId', 'status', ...names],
    items.map((item, i) => [item.name, item.simulationId, item.status, ...names.map((name) => flat[i]![name])]),
  );
}

/** A result (or a record) as `--format table` prints it. */
export function tableOf(kind: BodyKind, body: unknown): string {
  const rows = kind === 'sweep' ? sweepRows(body) : undefined;
  if (rows) return sweepTable(rows, false);
  const items = kind === 'comparison' ? comparisonItems(body) : undefined;
  if (items) return comparisonTable(items);
  const summary = kind === 'simulation' ? at(body, 'summary') : undefined;
  if (summary !== undefined && at(body, 'series') !== undefined) return keyValueTable(summary, TABLE_SKIP);
  return keyValueTable(body, TABLE_SKIP);
}

/** A result as CSV, for the kinds whose server answers no CSV of its own. */
export function csvOf(kind: BodyKind, body: unknown): string {
  const rows = kind === 'sweep' ? sweepRows(body) : undefined;
  if (rows) return sweepTable(rows, true);
  const items = kind === 'comparison' ? comparisonItems(body) : undefined;
  if (items) return comparisonCsv(items);
  // A host's timeline is its table of numbers, as a simulation's series is.
  const timeline = kind === 'host' ? at(body, 'series') : undefined;
  if (timeline && typeof timeline === 'object') {
    const columns = Object.entries(timeline as Record<string, unknown>).filter((entry): entry is [string, unknown[]] => Array.isArray(entry[1]));
    const length = Math.max(0, ...columns.map(([, values]) => values.length));
    return csvTable(
      columns.map(([name]) => name),
      Array.from({ length }, (_, i) => columns.map(([, values]) => values[i])),
    );
  }
  return csvOfObject(body, TABLE_SKIP);
}
