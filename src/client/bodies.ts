// Request bodies checked before they are sent, with the schemas the server parses them with: a
// bad body is refused here, naming the field and its limit, without a round trip. Limits that
// are the server's configuration (MAX_SWEEP_POINTS) are left to the server to name.
import { fieldIssues, type FieldIssue } from '../schemas/issues.js';
import { HostRequestSchema, PlanRequestSchema } from '../schemas/planning.js';
import { ScenarioSchema } from '../schemas/scenario.js';
import { ComparisonRequestSchema, sweepRequestSchema } from '../schemas/sweep.js';
import type { z } from '../schemas/zod.js';
import type { JobKind } from './jobs.js';

/** What a body is for: a job, or a comparison (answered by the POST itself). */
export type BodyKind = JobKind | 'comparison';

const BODY_SCHEMAS: Record<BodyKind, z.ZodType> = {
  simulation: ScenarioSchema,
  // The server's MAX_SWEEP_POINTS is its own to check.
  sweep: sweepRequestSchema(Number.MAX_SAFE_INTEGER),
  plan: PlanRequestSchema,
  host: HostRequestSchema,
  comparison: ComparisonRequestSchema,
};

/** The issues of `body` for `kind`, each with its dotted path; empty when it may be sent. */
export function bodyIssues(kind: BodyKind, body: unknown): FieldIssue[] {
  const parsed = BODY_SCHEMAS[kind].safeParse(body);
  return parsed.success ? [] : fieldIssues(parsed.error);
}
