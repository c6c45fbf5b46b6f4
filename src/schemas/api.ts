// Bodies of the HTTP API around the engine: simulation records, lists and RFC 9457 problems.
import { SummarySchema } from './result.js';
import { z } from './zod.js';

export const SimulationStatusSchema = z.enum(['queued', 'running', 'completed', 'failed', 'cancelled']).openapi('SimulationStatus');

export const SimulationIdSchema = z
  .string()
  .regex(/^[a-z0-9-]{8,80}$/)
  .openapi({ description: 'Derived from a hash of the canonical scenario (or of the client and its Idempotency-Key).', example: 'sim-3f9c2a71b0d4e8a1' });

export const SimulationRecordSchema = z
  .object({
    id: SimulationIdSchema,
    status: SimulationStatusSchema,
    progress: z.number().min(0).max(1),
    createdAt: z.string().openapi({ format: 'date-time' }),
    finishedAt: z.string().nullable().openapi({ format: 'date-time' }),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
    summary: SummarySchema.optional(),
    links: z.object({ self: z.string(), result: z.string(), events: z.string() }),
  })
  .openapi('Simulation');

export const SimulationListSchema = z
  .object({ items: z.array(SimulationRecordSchema), nextCursor: z.string().nullable() })
  .openapi('SimulationList');

/**
 * Most field issues one problem lists. Twenty is more than a person reads and fixes in one
 * pass, and it keeps a 422 to a few KB whatever the size of the bad body.
 */
export const PROBLEM_ISSUES_MAX = 20;

/** Longest issue message: a list of unknown keys is cut here, ending in "…". */
export const PROBLEM_ISSUE_MESSAGE_MAX_CHARS = 200;

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    code: z.string().optional(),
    errors: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .openapi({ description: `The first ${PROBLEM_ISSUES_MAX} bad fields at most; \`moreIssues\` counts the rest.` }),
    moreIssues: z.number().int().min(1).optional().openapi({ description: 'How many bad fields `errors` leaves out.' }),
  })
  .openapi('Problem', { description: 'RFC 9457 problem details.' });

export type SimulationStatus = z.infer<typeof SimulationStatusSchema>;

const FINISHED_STATUSES: ReadonlySet<SimulationStatus> = new Set(['completed', 'failed', 'cancelled']);

/** A simulation in this status will not change again. */
export function isFinishedStatus(status: SimulationStatus): boolean {
  return FINISHED_STATUSES.has(status);
}
export type SimulationRecord = z.infer<typeof SimulationRecordSchema>;
export type SimulationList = z.infer<typeof SimulationListSchema>;
export type Problem = z.infer<typeof ProblemSchema>;
