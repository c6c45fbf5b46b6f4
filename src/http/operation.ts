// One declaration per HTTP operation: method, path, request schemas, responses and the handler.
// Both the express routes (with request parsing and 405 for the other methods of a path) and the
// OpenAPI registration are built from the same list, so a path is written once, in its OpenAPI
// form, and no route is served without being described.
import type { OpenAPIRegistry, ResponseConfig, RouteConfig, ZodRequestBody } from '@asteasolutions/zod-to-openapi';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { z } from 'zod';
import type { HttpConfig, RouteContext } from './context.js';
import { jsonBody, textBody } from './json-body.js';
import { lowerCaseHeaders, parseBody, parseHeaders, parseParams, parseQuery, type LowerCaseKeys } from './parse-request.js';
import { methodNotAllowed, routeNotFound, type HttpProblem } from './problem.js';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** A request body: the route checks its media type and size, then parses it. */
export interface BodyDeclaration<S extends z.ZodType = z.ZodType> {
  schema: S;
  /** text/plain hands the schema the body as a string. @defaultValue 'application/json' */
  mediaType?: 'application/json' | 'text/plain';
  description?: string;
  example?: unknown;
}

export interface RequestDeclaration {
  params?: z.ZodObject;
  query?: z.ZodObject;
  /** Header names as clients write them (Idempotency-Key); handlers get them lower-cased. */
  headers?: z.ZodObject;
  body?: BodyDeclaration;
}

type Parsed<S> = S extends z.ZodType ? z.output<S> : Record<string, never>;

/** What a handler receives: each declared part, parsed. */
export interface ParsedRequest<R extends RequestDeclaration> {
  params: Parsed<R['params']>;
  query: Parsed<R['query']>;
  headers: LowerCaseKeys<Parsed<R['headers']>>;
  body: R['body'] extends BodyDeclaration<infer S> ? z.output<S> : undefined;
}

export interface Operation<R extends RequestDeclaration = RequestDeclaration> {
  method: Method;
  /** In OpenAPI form, `/v1/simulations/{id}`; the express path is derived from it. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  request?: R;
  /** Answers a path whose parameters fail their schema. @defaultValue 404 ROUTE_NOT_FOUND */
  notFound?: (params: Record<string, string>) => HttpProblem;
  responses: Record<number, ResponseConfig>;
  handle(context: RouteContext, input: ParsedRequest<R>, res: Response, req: Request): unknown;
}

/** Declares an operation; the handler's input is typed by the request schemas. */
export function operation<R extends RequestDeclaration = RequestDeclaration>(declaration: Operation<R>): Operation {
  return declaration;
}

/** The operations of one route module, for the limits of a configuration. */
export type OperationGroup = (config: HttpConfig) => readonly Operation[];

/** `/v1/simulations/{id}` → `/v1/simulations/:id`. */
export function expressPath(path: string): string {
  return path.replace(/\{([^}]+)\}/g, ':$1');
}

/** The order in which Allow and a 405's detail list methods. */
const METHOD_ORDER: readonly Method[] = ['get', 'post', 'put', 'patch', 'delete'];

/** The one place where a declared body becomes an OpenAPI request body. */
export function openApiRequestBody({ schema, mediaType = 'application/json', description, example }: BodyDeclaration): ZodRequestBody {
  return {
    required: true,
    ...(description === undefined ? {} : { description }),
    content: { [mediaType]: { schema, ...(example === undefined ? {} : { example }) } },
  };
}

function openApiRequest({ params, query, headers, body }: RequestDeclaration): NonNullable<RouteConfig['request']> {
  return {
    ...(params ? { params } : {}),
    ...(query ? { query } : {}),
    ...(headers ? { headers } : {}),
    ...(body ? { body: openApiRequestBody(body) } : {}),
  };
}

export function registerOperations(registry: OpenAPIRegistry, operations: readonly Operation[]): void {
  for (const { method, path, operationId, summary, description, tags, request, responses } of operations) {
    registry.registerPath({
      method,
      path,
      operationId,
      summary,
      ...(description === undefined ? {} : { description }),
      tags,
      ...(request ? { request: openApiRequest(request) } : {}),
      responses,
    });
  }
}

function handlers(op: Operation, context: RouteContext): RequestHandler[] {
  const { params, query, headers, body } = op.request ?? {};
  const headerSchema = headers && lowerCaseHeaders(headers);
  const handle: RequestHandler = async (req, res) => {
    // The first bad part answers: the path, then the query, the headers, the body.
    const notFound = op.notFound ?? (() => routeNotFound(req.method, req.path));
    const input = {
      params: params ? parseParams(params, req, notFound) : {},
      query: query ? parseQuery(query, req) : {},
      headers: headerSchema ? parseHeaders(headerSchema, req) : {},
      body: body ? parseBody(body.schema, req) : undefined,
    };
    await op.handle(context, input as ParsedRequest<RequestDeclaration>, res, req);
  };
  if (!body) return [handle];
  const reader = body.mediaType === 'text/plain' ? textBody : jsonBody;
  return [...reader(context.config.bodyLimitBytes), handle];
}

/** The express routes of `operations`; any other method on a declared path gets 405 with Allow. */
export function operationsRouter(operations: readonly Operation[], context: RouteContext): Router {
  const router = Router();
  const byPath = new Map<string, Operation[]>();
  for (const op of operations) byPath.set(op.path, [...(byPath.get(op.path) ?? []), op]);
  for (const [path, ops] of byPath) {
    const route = router.route(expressPath(path));
    for (const op of ops) route[op.method](...handlers(op, context));
    const allowed = METHOD_ORDER.filter((method) => ops.some((op) => op.method === method)).map((method) => method.toUpperCase());
    route.all((req, _res, next) => next(methodNotAllowed(req.method, allowed)));
  }
  return router;
}
