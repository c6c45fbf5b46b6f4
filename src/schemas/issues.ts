// Zod issues as `{ path, message }` pairs, the shape both the CLI and problem+json report.
import type { z } from 'zod';

export interface FieldIssue {
  path: string;
  message: string;
}

export function fieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    message: issue.message,
  }));
}

/** The issues as indented `path: message` lines, for a terminal. */
export function issueLines(error: z.ZodError): string[] {
  return fieldIssues(error).map((i) => `  ${i.path}: ${i.message}`);
}
