import { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { describe, expect, it } from 'vitest';
import { byteSize } from '../schemas/units.js';
import { servedAsWritten, z } from '../schemas/zod.js';
import { generateDocument } from './openapi-io.js';

const Thing = z
  .object({
    size: byteSize(1, 1000).openapi({ description: 'How big.' }),
    mode: z.enum(['a', 'b']).default('a').openapi({ description: 'Which mode.' }),
    kind: z.discriminatedUnion('type', [z.object({ type: z.literal('k'), weight: z.number().default(2) }).strict()]).openapi('Kind').default({ type: 'k', weight: 2 }),
    inner: z.object({ n: z.number().default(3) }).strict().prefault({}),
    note: z.string().optional(),
  })
  .strict()
  .openapi('Thing', { example: { size: '1kB' } });

function documentFor(response: z.ZodType) {
  const registry = new OpenAPIRegistry();
  registry.registerPath({
    method: 'post',
    path: '/things',
    request: {
      query: z.object({
        format: z.enum(['json', 'csv']).default('json'),
        limit: z.coerce.number().int().openapi({ type: 'integer' }).default(20),
      }),
      body: { content: { 'application/json': { schema: Thing } } },
    },
    responses: { 200: { description: 'ok', content: { 'application/json': { schema: response } } } },
  });
  return generateDocument(registry.definitions, { openapi: '3.1.0', info: { title: 't', version: '1' } }) as Record<string, any>;
}

describe('generateDocument', () => {
  const doc = documentFor(z.object({ thing: Thing, asWritten: servedAsWritten(Thing) }).openapi('Echo'));
  const post = doc.paths['/things'].post;
  const body = post.requestBody.content['application/json'].schema;
  const schemas = doc.components.schemas;

  it('describes a request body by what a client may send, inlined', () => {
    expect(JSON.stringify(body)).not.toContain('$ref');
    expect(body.required).toEqual(['size']);
    expect(body.properties.size.oneOf).toHaveLength(2);
    expect(body.properties.mode).toMatchObject({ default: 'a', description: 'Which mode.' });
    expect(body.properties.kind).toMatchObject({ default: { type: 'k', weight: 2 } });
    expect(body.properties.kind.oneOf[0].required).toEqual(['type']);
    expect(body.properties.inner).toMatchObject({ default: {} });
    expect(body.properties.inner.required).toBeUndefined();
    expect(body.example).toEqual({ size: '1kB' });
  });

  it('leaves a defaulted parameter optional, with its default even when the metadata names the type', () => {
    expect(post.parameters).toEqual([
      expect.objectContaining({ name: 'format', in: 'query', required: false, schema: expect.objectContaining({ default: 'json' }) }),
      expect.objectContaining({ name: 'limit', in: 'query', required: false, schema: { type: 'integer', default: 20 } }),
    ]);
  });

  it('describes a response by what the server returns: defaults filled in, sizes as bytes, the example parsed', () => {
    expect(schemas.Echo.properties.thing).toEqual({ $ref: '#/components/schemas/Thing' });
    expect(schemas.Thing.required).toEqual(['size', 'mode', 'kind', 'inner']);
    expect(schemas.Thing.properties.size).toEqual({ type: 'integer', minimum: 1, maximum: 1000, description: 'How big.' });
    expect(schemas.Thing.properties.mode).toMatchObject({ default: 'a', description: 'Which mode.' });
    expect(schemas.Thing.properties.kind).toEqual({ $ref: '#/components/schemas/Kind' });
    expect(schemas.Thing.properties.inner.required).toEqual(['n']);
    expect(schemas.Kind.oneOf[0].required).toEqual(['type', 'weight']);
    expect(schemas.Thing.example).toEqual({ size: 1000, mode: 'a', kind: { type: 'k', weight: 2 }, inner: { n: 3 } });
  });

  it('describes a field served as written by its input, as the request body is', () => {
    expect(schemas.Echo.properties.asWritten).toEqual(body);
  });

  it('refuses a response whose transform has no schema for its result', () => {
    const bare = z.object({ n: z.string().transform(Number) }).openapi('Bare');
    expect(() => documentFor(bare)).toThrow(/pipe the transform/);
  });
});
