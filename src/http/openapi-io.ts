// Which side of a schema the OpenAPI document shows. zod-to-openapi describes a zod schema by
// what it accepts: right for request parts, wrong for responses, where parsing has filled in
// every default and run every transform. So request bodies and parameters are described by
// their input, inlined (openapi-typescript reads a `default` inside a component schema as
// "always present" and exempts only schemas under requestBody and parameters), and every
// component a response refers to by its output: defaulted fields required, piped fields as
// what they parse to, examples as parsed.
import { getOpenApiMetadata, getRefId, OpenApiGeneratorV31, type OpenAPIRegistry, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import type { ZodType } from 'zod';
import { isServedAsWritten } from '../schemas/zod.js';

type Definition = OpenAPIRegistry['definitions'][number];
type Metadata = Record<string, unknown>;
type Def = Record<string, unknown> & { type: string };
type Document = ReturnType<OpenApiGeneratorV31['generateDocument']>;
type DocumentConfig = Parameters<OpenApiGeneratorV31['generateDocument']>[0];

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'nonoptional', 'catch']);
const LEAVES = new Set([
  'string', 'number', 'int', 'bigint', 'boolean', 'literal', 'enum', 'null', 'undefined', 'void', 'any', 'unknown', 'never',
  'date', 'nan', 'symbol', 'file', 'template_literal', 'custom', 'transform',
]);

const defOf = (schema: ZodType) => schema._zod.def as unknown as Def;

/** The children of a schema, mapped; undefined when `map` returned every child unchanged. */
function mapChildren(schema: ZodType, map: (child: ZodType) => ZodType): Partial<Def> | undefined {
  const def = defOf(schema);
  const one = (key: string) => {
    const child = def[key] as ZodType;
    const next = map(child);
    return next === child ? undefined : { [key]: next };
  };
  if (WRAPPERS.has(def.type)) return one('innerType');
  switch (def.type) {
    case 'array':
      return one('element');
    case 'pipe': {
      const changes = { ...one('in'), ...one('out') };
      return Object.keys(changes).length > 0 ? changes : undefined;
    }
    case 'record': {
      const changes = { ...one('keyType'), ...one('valueType') };
      return Object.keys(changes).length > 0 ? changes : undefined;
    }
    case 'union': {
      const options = def.options as ZodType[];
      const next = options.map(map);
      return next.some((option, i) => option !== options[i]) ? { options: next } : undefined;
    }
    case 'object': {
      const shape = def.shape as Record<string, ZodType>;
      const next = Object.fromEntries(Object.entries(shape).map(([key, field]) => [key, map(field)]));
      return Object.keys(shape).some((key) => next[key] !== shape[key]) ? { shape: next } : undefined;
    }
    default:
      if (LEAVES.has(def.type)) return undefined;
      throw new Error(`openapi-io: no rule for a zod ${def.type} yet`);
  }
}

/** A new schema with `changes` to its definition and exactly this OpenAPI metadata. */
function copy(schema: ZodType, changes: Partial<Def>, metadata: Metadata, refId?: string): ZodType {
  const fresh = schema.clone({ ...schema._zod.def, ...changes } as ZodType['_zod']['def']);
  if (refId) return fresh.openapi(refId, metadata);
  return Object.keys(metadata).length > 0 ? fresh.openapi(metadata) : fresh;
}

const metadataOf = (schema: ZodType): Metadata => ({ ...getOpenApiMetadata(schema) });

/** The schema whose metadata zod-to-openapi merges into this one's: a wrapper's content, a pipe's input. */
function described(schema: ZodType): ZodType | undefined {
  const def = defOf(schema);
  if (WRAPPERS.has(def.type)) return def.innerType as ZodType;
  if (def.type !== 'pipe') return undefined;
  return defOf(def.in as ZodType).type === 'transform' ? (def.out as ZodType) : (def.in as ZodType);
}

/**
 * The metadata this schema adds to what it wraps. zod-to-openapi copies a schema's metadata
 * onto `.optional()` and the like, so a copy given the merged metadata would keep what a
 * changed inner schema dropped.
 */
function ownMetadata(schema: ZodType): Metadata {
  const metadata = metadataOf(schema);
  const inner = described(schema);
  if (!inner) return metadata;
  const inherited = metadataOf(inner);
  return Object.fromEntries(Object.entries(metadata).filter(([key, value]) => JSON.stringify(value) !== JSON.stringify(inherited[key])));
}

const inputs = new WeakMap<ZodType, ZodType>();

/** What a client may send, with no component references, so the whole of it is inlined. */
function inputSchema(schema: ZodType): ZodType {
  const known = inputs.get(schema);
  if (known) return known;
  const changes = mapChildren(schema, inputSchema);
  const metadata = ownMetadata(schema);
  // A `type` in the metadata replaces zod-to-openapi's whole description, default included.
  const def = defOf(schema);
  const lostDefault = (def.type === 'default' || def.type === 'prefault') && metadataOf(schema).type !== undefined;
  if (lostDefault) metadata.default = def.defaultValue;
  const result = changes || lostDefault || getRefId(schema) ? copy(schema, changes ?? {}, metadata) : schema;
  inputs.set(schema, result);
  return result;
}

/** The fields zod-to-openapi lists as required: those that do not accept undefined. */
const acceptedRequired = (shape: Record<string, ZodType>) => Object.keys(shape).filter((key) => !shape[key]!.safeParse(undefined).success);
/** The fields every parsed value has: defaulted ones included. */
const parsedRequired = (shape: Record<string, ZodType>) => Object.keys(shape).filter((key) => shape[key]!._zod.optout !== 'optional');

const outputs = new WeakMap<ZodType, ZodType>();

/**
 * What the server returns. A nested schema with its own component is left as it is: the
 * reference stays, and that component gets its own output description.
 */
function outputSchema(schema: ZodType, component?: { refId: string; metadata: Metadata }): ZodType {
  if (isServedAsWritten(schema)) return inputSchema(schema);
  if (!component && getRefId(schema)) return schema;
  const known = component ? undefined : outputs.get(schema);
  if (known) return known;

  const def = defOf(schema);
  let result: ZodType;
  if (def.type === 'pipe' && defOf(def.out as ZodType).type !== 'transform') {
    // The pipe's own metadata describes what it accepts; only its description holds for the result.
    const { description } = metadataOf(schema);
    const out = outputSchema(def.out as ZodType);
    result = copy(out, {}, { ...ownMetadata(out), ...(description === undefined ? {} : { description }) });
  } else if (def.type === 'pipe') {
    throw new Error('openapi-io: a transform’s result has no schema; pipe the transform into one to describe the response');
  } else {
    const changes = mapChildren(schema, (child) => outputSchema(child));
    const metadata = component?.metadata ?? ownMetadata(schema);
    let changed = changes !== undefined;
    if (def.type === 'object') {
      const required = parsedRequired(def.shape as Record<string, ZodType>);
      const listed = acceptedRequired((changes?.shape ?? def.shape) as Record<string, ZodType>);
      if (required.join() !== listed.join()) {
        metadata.required = required;
        changed = true;
      }
    }
    if (changed && metadata.example !== undefined) metadata.example = schema.parse(metadata.example);
    result = changed ? copy(schema, changes ?? {}, metadata, component?.refId) : schema;
  }
  if (!component) outputs.set(schema, result);
  return result;
}

/** Unwraps optional, default and the like: the schema a component is generated from. */
function unwrapped(schema: ZodType): ZodType {
  const def = defOf(schema);
  return WRAPPERS.has(def.type) ? unwrapped(def.innerType as ZodType) : schema;
}

/** Every component the responses refer to, first schema per name, as zod-to-openapi meets them. */
function responseComponents(definitions: readonly Definition[]): Map<string, ZodType> {
  const found = new Map<string, ZodType>();
  const seen = new WeakSet<ZodType>();
  const visit = (schema: ZodType) => {
    if (seen.has(schema) || isServedAsWritten(schema)) return;
    seen.add(schema);
    const refId = getRefId(schema);
    if (refId && !found.has(refId)) found.set(refId, schema);
    mapChildren(schema, (child) => {
      visit(child);
      return child;
    });
  };
  for (const definition of definitions) {
    if (definition.type !== 'route') continue;
    for (const response of Object.values(definition.route.responses)) {
      if ('$ref' in response || !response.content) continue;
      for (const media of Object.values(response.content)) {
        if (media && 'schema' in media && isZodSchema(media.schema)) visit(media.schema);
      }
    }
  }
  return found;
}

function isZodSchema(value: unknown): value is ZodType {
  return typeof value === 'object' && value !== null && '_zod' in value;
}

function asSent(route: RouteConfig): RouteConfig {
  const { request } = route;
  if (!request) return route;
  const parameters = <T extends ZodType | undefined>(schema: T) => (schema ? inputSchema(schema) : schema) as T;
  const body = request.body && {
    ...request.body,
    content: Object.fromEntries(
      Object.entries(request.body.content).map(([type, media]) => [
        type,
        media && 'schema' in media && isZodSchema(media.schema) ? { ...media, schema: inputSchema(media.schema) } : media,
      ]),
    ),
  };
  return {
    ...route,
    request: {
      ...request,
      ...(body ? { body } : {}),
      params: parameters(request.params),
      query: parameters(request.query),
      cookies: parameters(request.cookies),
      headers: Array.isArray(request.headers) ? request.headers.map(inputSchema) : parameters(request.headers),
    },
  };
}

/**
 * The document for these registrations: request bodies and parameters as a client may send
 * them, responses as the server returns them.
 */
export function generateDocument(definitions: readonly Definition[], config: DocumentConfig): Document {
  const sent = definitions.map((definition) => (definition.type === 'route' ? { ...definition, route: asSent(definition.route) } : definition));
  const document = new OpenApiGeneratorV31(sent).generateDocument(config);
  const schemas = document.components?.schemas ?? {};
  for (const [refId, schema] of responseComponents(definitions)) {
    const output = outputSchema(unwrapped(schema), { refId, metadata: metadataOf(schema) });
    if (output === unwrapped(schema) || !(refId in schemas)) continue;
    const generated = new OpenApiGeneratorV31([{ type: 'schema', schema: output }]).generateComponents().components?.schemas?.[refId];
    if (!generated) throw new Error(`openapi-io: the output of ${refId} generated no component`);
    schemas[refId] = generated;
  }
  return document;
}
