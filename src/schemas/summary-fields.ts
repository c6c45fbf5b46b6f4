// A summary as flat `dotted.name → scalar` fields: the columns of a sweep's CSV and the fields
// a comparison takes differences of. Lists (the children of a fork event) have no one value
// per row and are left to the JSON result.
import type { Summary } from './result.js';

export type SummaryScalar = number | string | boolean | null;

/** Every scalar field of `summary`, nested objects flattened to dotted names, in schema order. */
export function summaryFields(summary: Summary): Record<string, SummaryScalar> {
  const fields: Record<string, SummaryScalar> = {};
  const visit = (value: unknown, name: string) => {
    if (Array.isArray(value)) return;
    if (value !== null && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) visit(inner, name ? `${name}.${key}` : key);
      return;
    }
    if (value === null || typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') fields[name] = value;
  };
  visit(summary, '');
  return fields;
}

/** The numeric fields only. */
export function numericSummaryFields(summary: Summary): Record<string, number> {
  const numeric: Record<string, number> = {};
  for (const [name, value] of Object.entries(summaryFields(summary))) if (typeof value === 'number') numeric[name] = value;
  return numeric;
}
