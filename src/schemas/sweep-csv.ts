// A sweep's rows as CSV: one line per row, the axis values first, then the simulation id, the
// point's status and every scalar summary field (nested fields by dotted name). A field a row
// lacks, as a failed point lacks all of them, is an empty cell.
import type { SweepResult } from './sweep.js';
import { summaryFields } from './summary-fields.js';

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function sweepToCsv(result: SweepResult, axisPaths: readonly string[]): string {
  const flat = result.rows.map((row) => (row.summary ? summaryFields(row.summary) : {}));
  const fieldNames: string[] = [];
  const seen = new Set<string>();
  for (const fields of flat) {
    for (const name of Object.keys(fields)) {
      if (!seen.has(name)) {
        seen.add(name);
        fieldNames.push(name);
      }
    }
  }
  const header = [...axisPaths, 'simulationId', 'status', ...fieldNames];
  const lines = [header.map(cell).join(',')];
  result.rows.forEach((row, i) => {
    const fields = flat[i]!;
    lines.push([...axisPaths.map((path) => row.values[path]), row.simulationId, row.status, ...fieldNames.map((name) => fields[name])].map(cell).join(','));
  });
  return `${lines.join('\n')}\n`;
}
