// Parsing request parts against zod schemas. Express 5's req.query is a getter that re-parses
// the URL, so handlers use the parsed value returned here instead of writing it back.
import type { Request } from 'express';
import type { z } from 'zod';
import { validationProblem } from './problem.js';

export function parseQuery<S extends z.ZodType>(schema: S, req: Request): z.output<S> {
  const parsed = schema.safeParse(req.query);
  if (!parsed.success) throw validationProblem(parsed.error, 'query');
  return parsed.data;
}

export function parseHeaders<S extends z.ZodType>(schema: S, req: Request): z.output<S> {
  const parsed = schema.safeParse(req.headers);
  if (!parsed.success) throw validationProblem(parsed.error, 'header');
  return parsed.data;
}

export function parseBody<S extends z.ZodType>(schema: S, req: Request): z.output<S> {
  const parsed = schema.safeParse(req.body);
  if (!parsed.success) throw validationProblem(parsed.error, 'body');
  return parsed.data;
}
