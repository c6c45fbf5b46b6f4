// Answers of the API as people read them (`--format table`) and as spreadsheets do (`csv`
// where the server has no CSV of its own). Units live in the field names (`…Bytes`, `…Usec`,
// `…Ms`, `…Sec`), so the unit of any field, of any resource, is read off its name.
import { formatBytes } from '../../schemas/units.js';

/** A number with at most three decimals and no trailing zeros. */
function plain(value: number): string {
  if (Number.isInteger(value)) return String(value);
  const magnitude = Math.abs(value);
  return String(Number(value.toFixed(magnitude >= 100 ? 1 : magnitude >= 10 ? 2 : 3)));
}

function seconds(sec: number): string {
  if (sec !== 0 && Math.abs(sec) < 1) return `${plain(sec * 1000)} ms`;
  return `${plain(sec)} s`;
}

/** A field's value in the unit its name gives. */
export function humanValue(key: string, value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value !== 'number') return typeof value === 'string' ? value : JSON.stringify(value);
  if (/(Bytes|^bytes)$/.test(key) || key === 'rdbLastCowSize') return formatBytes(value);
  if (/BytesPerSec$/.test(key)) return `${formatBytes(value)}/s`;
  if (/PerSec/.test(key)) return `${plain(value)}/s`;
  if (/Usec$/.test(key)) return Math.abs(value) < 1000 ? `${plain(value)} µs` : seconds(value / 1e6);
  if (/Ms(Total)?$/.test(key)) return seconds(value / 1000);
  if (/Sec$/.test(key)) return seconds(value);
  if (/Percent/.test(key)) return `${plain(value)}%`;
  return plain(value);
}

/** Dotted paths to the leaves of a JSON value, leaving out the fields named in `skip`; arrays of scalars stay one leaf. */
export function flatten(value: unknown, prefix = '', skip: ReadonlySet<string> = new Set()): Array<[string, unknown]> {
  if (value === null || typeof value !== 'object') return [[prefix, value]];
  if (Array.isArray(value) && value.every((item) => item === null || typeof item !== 'object')) return [[prefix, value.join(' ')]];
  return Object.entries(value).flatMap(([key, inner]) => {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    return skip.has(key) ? [] : flatten(inner, path, skip);
  });
}

const lastKey = (path: string) => path.slice(path.lastIndexOf('.') + 1);

/**
 * `{ value, unit }` pairs (a plan's answer, a cloud rule's) carry their unit beside the number
 * rather than in its name: the value is shown in it.
 */
function withUnits(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withUnits);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value).map(([key, inner]) => [key, withUnits(inner)] as const);
  const node = Object.fromEntries(entries) as Record<string, unknown>;
  if (typeof node.value === 'number' && typeof node.unit === 'string') {
    node.value = node.unit === 'bytes' ? formatBytes(node.value) : `${plain(node.value)} ${node.unit}`;
  }
  return node;
}

const isObjectList = (value: unknown): value is Array<Record<string, unknown>> =>
  Array.isArray(value) && value.length > 0 && value.every((item) => item !== null && typeof item === 'object' && !Array.isArray(item));

/** Rows a table shows of one list; JSON has them all. */
const MAX_TABLE_ROWS = 20;

/**
 * `key  value` lines in human units, and each list of objects (a plan's probes, a host's
 * instances) as columns under its name.
 */
export function keyValueTable(value: unknown, skip: ReadonlySet<string> = new Set()): string {
  const lists: Array<[string, Array<Record<string, unknown>>]> = [];
  const scalars: Array<[string, unknown]> = [];
  const walk = (node: unknown, prefix: string) => {
    if (isObjectList(node)) return void lists.push([prefix, node]);
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return void scalars.push(...flatten(node, prefix));
    for (const [key, inner] of Object.entries(node)) if (!skip.has(key)) walk(inner, prefix === '' ? key : `${prefix}.${key}`);
  };
  walk(withUnits(value), '');
  const width = Math.max(0, ...scalars.map(([key]) => key.length));
  const parts = scalars.length > 0 ? [scalars.map(([key, inner]) => `${key.padEnd(width)}  ${humanValue(lastKey(key), inner)}`).join('\n') + '\n'] : [];
  for (const [name, rows] of lists) {
    // Inside a row, a nested list is only counted.
    const flat = rows.slice(0, MAX_TABLE_ROWS).map((row) => flatten(Object.fromEntries(Object.entries(row).map(([k, v]) => [k, isObjectList(v) ? `${v.length} ${v.length === 1 ? 'item' : 'items'}` : v])), '', skip));
    const headers = [...new Set(flat.flatMap((leaves) => leaves.map(([key]) => key)))];
    const cells = flat.map((leaves) => headers.map((header) => leaves.find(([key]) => key === header)?.[1]));
    const more = rows.length > MAX_TABLE_ROWS ? `… ${rows.length - MAX_TABLE_ROWS} more (--format json has them all)\n` : '';
    parts.push(`${name}:\n${columnTable(headers, cells)}${more}`);
  }
  return parts.join('\n');
}

/** Columns aligned under their headers; numbers right-aligned. */
export function columnTable(headers: readonly string[], rows: ReadonlyArray<readonly unknown[]>): string {
  const cells = rows.map((row) => row.map((cell, i) => humanValue(lastKey(headers[i] ?? ''), cell)));
  const widths = headers.map((header, i) => Math.max(header.length, ...cells.map((row) => row[i]?.length ?? 0)));
  const numeric = headers.map((_, i) => rows.every((row) => typeof row[i] === 'number' || row[i] === null));
  const line = (row: readonly string[]) =>
    row.map((cell, i) => (numeric[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(headers), ...cells.map(line)].join('\n') + '\n';
}

/** RFC 4180: quote a field that holds a comma, a quote or a line break. */
function csvField(value: unknown): string {
  const text = value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvTable(headers: readonly string[], rows: ReadonlyArray<readonly unknown[]>): string {
  return [headers, ...rows].map((row) => row.map(csvField).join(',')).join('\n') + '\n';
}

/** A JSON object as one CSV header row and one value row of its scalar leaves (lists of objects left to the JSON), raw numbers. */
export function csvOfObject(value: unknown, skip: ReadonlySet<string> = new Set()): string {
  const leaves = flatten(value, '', skip).filter(([key]) => !/\.\d+(\.|$)/.test(key));
  return csvTable(
    leaves.map(([key]) => key),
    [leaves.map(([, inner]) => inner)],
  );
}

/** The value at a dotted path. */
export function at(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
