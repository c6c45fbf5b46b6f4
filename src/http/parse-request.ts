// Parsing request parts against zod schemas. Express 5's req.query is a getter that re-parses
// the URL, so handlers use the parsed value returned here instead of writing it back.
import type { Request } from 'express';
import { z } from '../schemas/zod.js';
import { validationProblem, type HttpProblem } from './problem.js';

/** A path whose parameters fail their schema names nothing that exists: `notFound` says what to answer. */
export function parseParams<S extends z.ZodType>(schema: S, req: Request, notFound: (params: Record<string, string>) => HttpProblem): z.output<S> {
  const parsed = schema.safeParse(req.params);
  if (!parsed.success) throw notFound(req.params as Record<string, string>);
  return parsed.data;
}

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

export type LowerCaseKeys<T> = { [K in keyof T as K extends string ? Lowercase<K> : K]: T[K] };

/**
 * Headers declared as clients write them (Idempotency-Key), for reading what Node hands over:
 * header names lower-cased, as HTTP names are case-insensitive.
 */
export function lowerCaseHeaders<Shape extends z.ZodRawShape>(schema: z.ZodObject<Shape>): z.ZodType<LowerCaseKeys<z.output<z.ZodObject<Shape>>>> {
  const shape = Object.fromEntries(Object.entries(schema.shape).map(([name, field]) => [name.toLowerCase(), field]));
  return z.object(shape) as unknown as z.ZodType<LowerCaseKeys<z.output<z.ZodObject<Shape>>>>;
}
