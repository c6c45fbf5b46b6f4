// RFC 9457 problem details: the one place where failures become HTTP statuses and stable codes.
// `type` stays "about:blank" (the status says what kind of problem it is) and `title` is the
// status phrase, as RFC 9457 §4.2.1 asks; clients branch on the `code` extension instead.
import { STATUS_CODES } from 'node:http';
import type { ZodError } from 'zod';
import { EngineError } from '../engine/errors.js';
import { PROBLEM_ISSUE_MESSAGE_MAX_CHARS, PROBLEM_ISSUES_MAX, type Problem } from '../schemas/api.js';
import { fieldIssues, type FieldIssue } from '../schemas/issues.js';
import { IdempotencyKeyReusedError, InvalidCursorError, ServiceUnavailableError } from '../service/errors.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Seconds a client should wait before retrying after a 503. */
export const UNAVAILABLE_RETRY_AFTER_SEC = 5;

export interface ProblemInit {
  status: number;
  code: string;
  detail: string;
  errors?: FieldIssue[];
  /** Extension members beside the standard ones. */
  extensions?: Record<string, unknown>;
  headers?: Record<string, string>;
}

function cutIssue(issue: FieldIssue): FieldIssue {
  const cut = (text: string) => (text.length <= PROBLEM_ISSUE_MESSAGE_MAX_CHARS ? text : `${text.slice(0, PROBLEM_ISSUE_MESSAGE_MAX_CHARS - 1)}…`);
  return { path: cut(issue.path), message: cut(issue.message) };
}

export class HttpProblem extends Error {
  readonly status: number;
  readonly code: string;
  readonly errors: FieldIssue[] | undefined;
  readonly extensions: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(init: ProblemInit) {
    super(init.detail);
    this.name = 'HttpProblem';
    this.status = init.status;
    this.code = init.code;
    // A body with thousands of bad items would otherwise earn an answer many times its size.
    const errors = init.errors;
    const more = errors ? errors.length - PROBLEM_ISSUES_MAX : 0;
    this.errors = (more > 0 ? errors!.slice(0, PROBLEM_ISSUES_MAX) : errors)?.map(cutIssue);
    this.extensions = { ...(more > 0 ? { moreIssues: more } : {}), ...init.extensions };
    this.headers = init.headers ?? {};
  }

  body(instance?: string): Problem & Record<string, unknown> {
    return {
      type: 'about:blank',
      title: STATUS_CODES[this.status] ?? 'Error',
      status: this.status,
      detail: this.message,
      ...(instance === undefined ? {} : { instance }),
      code: this.code,
      ...(this.errors ? { errors: this.errors } : {}),
      ...this.extensions,
    };
  }
}

/** A reused Idempotency-Key: it names nothing of the request the key was first used for. */
export const idempotencyKeyReused = () =>
  new HttpProblem({
    status: 422,
    code: 'IDEMPOTENCY_KEY_REUSED',
    detail: 'This Idempotency-Key was already used with a different request body; send a new key with a new request.',
    errors: [{ path: 'idempotency-key', message: 'already used by this client with a different request body' }],
  });

/** What a 422 says: the fields in `errors` name what is wrong. */
export const VALIDATION_FAILED_DETAIL = 'The request body does not satisfy the schema.';

export const unsupportedMediaType = (contentType: string | undefined, expected = 'application/json') =>
  new HttpProblem({
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    detail: `Send the request body as ${expected}, not ${contentType ?? 'a body without Content-Type'}.`,
  });

export function validationProblem(error: ZodError, where: 'body' | 'query' | 'header'): HttpProblem {
  const errors = fieldIssues(error);
  if (where === 'body') {
    return new HttpProblem({ status: 422, code: 'VALIDATION_FAILED', detail: VALIDATION_FAILED_DETAIL, errors });
  }
  return new HttpProblem({ status: 400, code: 'INVALID_PARAMETER', detail: `Invalid ${where} parameter.`, errors });
}

export const simulationNotFound = (id: string) =>
  new HttpProblem({ status: 404, code: 'SIMULATION_NOT_FOUND', detail: `No simulation with id ${JSON.stringify(id)}.` });

export const sweepNotFound = (id: string) =>
  new HttpProblem({ status: 404, code: 'SWEEP_NOT_FOUND', detail: `No sweep with id ${JSON.stringify(id)}.` });

export const routeNotFound = (method: string, path: string) =>
  new HttpProblem({ status: 404, code: 'ROUTE_NOT_FOUND', detail: `No route for ${method} ${path}.` });

export const methodNotAllowed = (method: string, allowed: string[]) =>
  new HttpProblem({
    status: 405,
    code: 'METHOD_NOT_ALLOWED',
    detail: `${method} is not allowed here; use ${allowed.join(' or ')}.`,
    headers: { Allow: allowed.join(', ') },
  });

export const stateConflict = (code: string, detail: string, simulationStatus: string, headers: Record<string, string> = {}) =>
  new HttpProblem({ status: 409, code, detail, extensions: { simulationStatus }, headers });

/** What body-parser and raw-body attach to their errors. */
interface BodyParserError {
  type?: unknown;
  status?: unknown;
  limit?: unknown;
}

function bodyParserProblem(err: BodyParserError, bodyLimitBytes: number): HttpProblem | undefined {
  switch (err.type) {
    case 'entity.parse.failed':
      return new HttpProblem({ status: 400, code: 'MALFORMED_JSON', detail: 'The request body is not valid JSON.' });
    case 'entity.too.large':
      return new HttpProblem({
        status: 413,
        code: 'BODY_TOO_LARGE',
        detail: `The request body exceeds the limit of ${bodyLimitBytes} bytes.`,
      });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new HttpProblem({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', detail: 'Send the body as UTF-8 without content coding.' });
    case 'request.aborted':
    case 'request.size.invalid':
      return new HttpProblem({ status: 400, code: 'BAD_REQUEST', detail: 'The request body ended before its declared length.' });
    default:
      return undefined;
  }
}

function engineProblem(err: EngineError): HttpProblem {
  if (err.code === 'CANCELLED') {
    return new HttpProblem({ status: 409, code: 'SIMULATION_CANCELLED', detail: err.message });
  }
  return new HttpProblem({
    status: 422,
    code: err.code,
    detail: err.message,
    errors: [{ path: err.path.map(String).join('.') || '(root)', message: err.message }],
  });
}

/**
 * Maps anything thrown while serving a request to a problem. Unknown errors become a 500
 * whose detail says nothing about the cause; the caller logs the original.
 */
export function toProblem(err: unknown, options: { bodyLimitBytes: number }): HttpProblem {
  if (err instanceof HttpProblem) return err;
  if (err instanceof EngineError) return engineProblem(err);
  if (err instanceof ServiceUnavailableError) {
    return new HttpProblem({
      status: 503,
      code: 'SERVICE_UNAVAILABLE',
      detail: 'The simulation queue is unavailable; retry shortly.',
      headers: { 'Retry-After': String(UNAVAILABLE_RETRY_AFTER_SEC) },
    });
  }
  if (err instanceof IdempotencyKeyReusedError) return idempotencyKeyReused();
  if (err instanceof InvalidCursorError) {
    return new HttpProblem({
      status: 400,
      code: 'INVALID_PARAMETER',
      detail: 'Invalid query parameter.',
      errors: [{ path: 'cursor', message: 'not a cursor this server handed out as nextCursor' }],
    });
  }
  if (typeof err === 'object' && err !== null) {
    const parserProblem = bodyParserProblem(err as BodyParserError, options.bodyLimitBytes);
    if (parserProblem) return parserProblem;
    // Express and its helpers mark client errors with a 4xx status (e.g. a bad %-escape in the path).
    const status = (err as BodyParserError).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return new HttpProblem({ status, code: 'BAD_REQUEST', detail: STATUS_CODES[status] ?? 'Bad request.' });
    }
  }
  return new HttpProblem({ status: 500, code: 'INTERNAL', detail: 'The server failed to handle the request.' });
}
