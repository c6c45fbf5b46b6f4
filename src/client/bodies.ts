// Request bodies checked before they are sent, with the schemas the server uses: a bad body
// is refused here, naming the field, without a round trip. Each kind says where its scenarios
// sit; the server checks the rest of the body and answers 422 naming the field.
import { fieldIssues, type FieldIssue } from '../schemas/issues.js';
import { ScenarioSchema } from '../schemas/scenario.js';
import type { JobKind } from './jobs.js';

/** What a body is for: a job, or a comparison (answered by the POST itself). */
export type BodyKind = JobKind | 'comparison';

/** Where the scenarios of a body are: a dotted path, `*` for every element of an array. */
const SCENARIO_PATHS: Record<BodyKind, readonly string[]> = {
  simulation: [''],
  sweep: ['base'],
  plan: ['base'],
  host: ['instances.*.scenario'],
  comparison: ['scenarios.*'],
};

/** The issues of `body` for `kind`, each with its full dotted path; empty when it may be sent. */
export function bodyIssues(kind: BodyKind, body: unknown): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const pattern of SCENARIO_PATHS[kind]) {
    for (const [path, value] of select(body, pattern === '' ? [] : pattern.split('.'), [])) {
      if (value === undefined) {
        issues.push({ path: path.join('.') || '(root)', message: 'required: a scenario' });
        continue;
      }
      const parsed = ScenarioSchema.safeParse(value);
      if (parsed.success) continue;
      for (const issue of fieldIssues(parsed.error)) {
        const inner = issue.path === '(root)' ? [] : [issue.path];
        issues.push({ path: [...path, ...inner].join('.') || '(root)', message: issue.message });
      }
    }
  }
  return issues;
}

/** The values at `pattern` under `value`, with their concrete paths. */
function select(value: unknown, pattern: string[], at: string[]): Array<[string[], unknown]> {
  if (pattern.length === 0) return [[at, value]];
  const [head, ...rest] = pattern as [string, ...string[]];
  if (head === '*') {
    // A missing or non-array list is the server's to name, with its own limits.
    if (!Array.isArray(value)) return [];
    return value.flatMap((item, index) => select(item, rest, [...at, String(index)]));
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [[[...at, head], undefined]];
  return select((value as Record<string, unknown>)[head], rest, [...at, head]);
}
