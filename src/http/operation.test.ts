import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import express from 'express';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import request from 'supertest';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from '../schemas/zod.js';
import type { SimulationService } from '../service/simulation-service.js';
import { DEFAULT_TUNING, type RouteContext } from './context.js';
import { errorHandler } from './error-handler.js';
import { expressPath, openApiRequestBody, operation, operationsRouter, registerOperations, type Operation } from './operation.js';
import { HttpProblem } from './problem.js';

const config = { bodyLimitBytes: 256, maxWaitSec: 60, rateLimitPerMin: 600, maxPoints: 1000, maxSweepPoints: 1000 };
const context: RouteContext = {
  service: {} as SimulationService,
  config,
  tuning: DEFAULT_TUNING,
  logger: pino({ level: 'silent' }),
  registry: new Registry(),
  health: { draining: () => false },
  examples: [],
  document: {},
};

const ok = { 200: { description: 'ok' } };
const ParamsSchema = z.object({ name: z.string().regex(/^[a-z]+$/) });
const QuerySchema = z.object({ limit: z.coerce.number().int().max(10).default(3) });
const HeadersSchema = z.object({ 'X-Colour': z.enum(['red', 'blue']).optional() });
const BodySchema = z.object({ size: z.number().int().positive() }).strict();

const operations: Operation[] = [
  operation({
    method: 'put',
    path: '/things/{name}',
    operationId: 'putThing',
    summary: 'Put a thing',
    tags: ['things'],
    request: { params: ParamsSchema, query: QuerySchema, headers: HeadersSchema, body: { schema: BodySchema, description: 'A thing.' } },
    notFound: (params) => new HttpProblem({ status: 404, code: 'NO_THING', detail: `no thing ${params.name}` }),
    responses: ok,
    handle(_context, input, res) {
      expectTypeOf(input.params).toEqualTypeOf<{ name: string }>();
      expectTypeOf(input.query).toEqualTypeOf<{ limit: number }>();
      expectTypeOf(input.headers).toEqualTypeOf<{ 'x-colour'?: 'red' | 'blue' | undefined }>();
      expectTypeOf(input.body).toEqualTypeOf<{ size: number }>();
      res.json(input);
    },
  }),
  operation({
    method: 'get',
    path: '/things/{name}',
    operationId: 'getThing',
    summary: 'Get a thing',
    tags: ['things'],
    request: { params: ParamsSchema },
    responses: ok,
    handle({ config }, { params }, res) {
      res.json({ name: params.name, bodyLimitBytes: config.bodyLimitBytes });
    },
  }),
  operation({
    method: 'delete',
    path: '/things/{name}',
    operationId: 'deleteThing',
    summary: 'Delete a thing',
    tags: ['things'],
    responses: ok,
    handle(_context, _input, res) {
      res.status(204).end();
    },
  }),
];

function app() {
  const app = express();
  app.use(operationsRouter(operations, context));
  app.use(errorHandler({ bodyLimitBytes: config.bodyLimitBytes, logger: context.logger }));
  return app;
}

describe('expressPath', () => {
  it('turns OpenAPI path templates into express parameters', () => {
    expect(expressPath('/v1/simulations/{id}/result')).toBe('/v1/simulations/:id/result');
    expect(expressPath('/a/{x}/b/{y_z}')).toBe('/a/:x/b/:y_z');
    expect(expressPath('/livez')).toBe('/livez');
  });
});

describe('operationsRouter', () => {
  it('hands the handler each declared part parsed, headers matched case-insensitively', async () => {
    const res = await request(app()).put('/things/box?limit=7').set('x-CoLoUr', 'red').send({ size: 2 }).expect(200);
    expect(res.body).toEqual({ params: { name: 'box' }, query: { limit: 7 }, headers: { 'x-colour': 'red' }, body: { size: 2 } });
    expect((await request(app()).put('/things/box').send({ size: 2 }).expect(200)).body.query).toEqual({ limit: 3 });
    expect((await request(app()).get('/things/box').expect(200)).body).toEqual({ name: 'box', bodyLimitBytes: 256 });
  });

  it('answers bad parts in path, query, header, body order, with the declared not-found for the path', async () => {
    const bad = await request(app()).put('/things/BOX?limit=70').set('X-Colour', 'green').send({ size: -1 }).expect(404);
    expect(bad.body).toMatchObject({ code: 'NO_THING', detail: 'no thing BOX' });
    const query = await request(app()).put('/things/box?limit=70').set('X-Colour', 'green').send({ size: -1 }).expect(400);
    expect(query.body).toMatchObject({ code: 'INVALID_PARAMETER', detail: 'Invalid query parameter.', errors: [{ path: 'limit' }] });
    const header = await request(app()).put('/things/box').set('X-Colour', 'green').send({ size: -1 }).expect(400);
    expect(header.body).toMatchObject({ code: 'INVALID_PARAMETER', detail: 'Invalid header parameter.', errors: [{ path: 'x-colour' }] });
    const body = await request(app()).put('/things/box').send({ size: -1 }).expect(422);
    expect(body.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'size' }] });
    // Without a declared not-found, a path that fails its parameters is no route at all.
    expect((await request(app()).get('/things/BOX').expect(404)).body).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
  });

  it('reads a declared body as JSON only and within the body limit', async () => {
    await request(app()).put('/things/box').set('Content-Type', 'text/plain').send('size=1').expect(415);
    const large = await request(app()).put('/things/box').send({ size: 1, pad: 'x'.repeat(300) }).expect(413);
    expect(large.body.code).toBe('BODY_TOO_LARGE');
  });

  it('answers 405 with Allow, in GET, POST, PUT, PATCH, DELETE order, for the methods a path does not declare', async () => {
    for (const method of ['post', 'patch'] as const) {
      const res = await request(app())[method]('/things/box').expect(405);
      expect(res.headers.allow).toBe('GET, PUT, DELETE');
      expect(res.body).toMatchObject({ code: 'METHOD_NOT_ALLOWED', detail: `${method.toUpperCase()} is not allowed here; use GET or PUT or DELETE.` });
    }
    await request(app()).delete('/things/box').expect(204);
    await request(app()).get('/elsewhere').expect(404);
  });
});

describe('registerOperations', () => {
  const document = () => {
    const registry = new OpenAPIRegistry();
    registerOperations(registry, operations);
    return new OpenApiGeneratorV31(registry.definitions).generateDocument({ openapi: '3.1.0', info: { title: 't', version: '1' } });
  };

  it('registers each operation once, under its method and path, with the parts it declares', () => {
    const doc = document();
    expect(Object.keys(doc.paths ?? {})).toEqual(['/things/{name}']);
    const item = doc.paths!['/things/{name}']!;
    expect(Object.keys(item)).toEqual(['put', 'get', 'delete']);
    expect(item.put).toMatchObject({ operationId: 'putThing', summary: 'Put a thing', tags: ['things'] });
    expect(item.put!.parameters!.map((p) => ('in' in p ? `${p.in}:${p.name}` : p.$ref))).toEqual(['path:name', 'query:limit', 'header:X-Colour']);
    expect(item.put!.requestBody).toMatchObject({ required: true, description: 'A thing.', content: { 'application/json': { schema: { type: 'object' } } } });
    expect(item.get!.requestBody).toBeUndefined();
    expect(item.delete!.parameters).toBeUndefined();
  });

  it('describes a body as a required JSON body with its example', () => {
    expect(openApiRequestBody({ schema: BodySchema, example: { size: 1 } })).toEqual({
      required: true,
      content: { 'application/json': { schema: BodySchema, example: { size: 1 } } },
    });
  });

  it('reads a text/plain body as a string, and refuses other media types', async () => {
    const textOp = operation({
      method: 'post',
      path: '/texts',
      operationId: 'postText',
      summary: 'Post a text',
      tags: ['things'],
      request: { body: { schema: z.string().min(1), mediaType: 'text/plain' } },
      responses: ok,
      handle(_context, { body }, res) {
        expectTypeOf(body).toEqualTypeOf<string>();
        res.json({ length: body.length });
      },
    });
    const app = express().use(operationsRouter([textOp], context)).use(errorHandler({ bodyLimitBytes: config.bodyLimitBytes, logger: context.logger }));
    expect((await request(app).post('/texts').set('Content-Type', 'text/plain').send('a:1\r\n').expect(200)).body).toEqual({ length: 5 });
    const json = await request(app).post('/texts').send({ a: 1 }).expect(415);
    expect(json.body.detail).toBe('Send the request body as text/plain, not application/json.');
    await request(app).post('/texts').set('Content-Type', 'text/plain').send('x'.repeat(config.bodyLimitBytes + 1)).expect(413);
    expect(openApiRequestBody({ schema: z.string(), mediaType: 'text/plain' }).content).toHaveProperty('text/plain');
  });
});
