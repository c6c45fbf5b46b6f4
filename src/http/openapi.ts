// The OpenAPI 3.1 document, generated from the zod schemas through the operations each route
// module declares. The committed openapi/openapi.json is this document for the default
// configuration; a server started with other limits serves its own figures.
import { createRequire } from 'node:module';
import { OpenAPIRegistry, type OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { LIST_LIMIT_MAX } from '../schemas/http.js';
import type { HttpConfig } from './context.js';
import { generateDocument } from './openapi-io.js';
import { TAGS } from './openapi-parts.js';
import { registerOperations } from './operation.js';
import { API_ROUTES, OPERATION_ROUTES } from './routes/index.js';

/** One version for the package and its contract: package.json's (two levels up from src/http and dist/http alike). */
export const API_VERSION: string = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

function description(config: HttpConfig): string {
  return [
    'forkcast forecasts the copy-on-write memory and fork latency of a Redis BGSAVE: submit a scenario, get the series and summary.',
    '',
    'Limits of this server:',
    `- request body: at most ${config.bodyLimitBytes} bytes (413 beyond);`,
    `- \`?wait=\` on POST /v1/simulations: 0–${config.maxWaitSec} s;`,
    `- \`?maxPoints=\` on results: 3–${config.maxPoints};`,
    `- \`?limit=\` on lists: 1–${LIST_LIMIT_MAX};`,
    `- /v1: ${config.rateLimitPerMin} requests per minute per client (429 beyond, with RateLimit and RateLimit-Policy headers);`,
    '- scenario sizes: as stated on each field of the Scenario schema.',
    '',
    'Errors are RFC 9457 application/problem+json with a stable `code` and, for bad fields, `errors: [{ path, message }]`.',
    'Every response carries X-Request-Id (the client’s, when it sends a sane one).',
  ].join('\n');
}

export function buildOpenApiDocument(config: HttpConfig): ReturnType<OpenApiGeneratorV31['generateDocument']> {
  const registry = new OpenAPIRegistry();
  for (const group of [...API_ROUTES, ...OPERATION_ROUTES]) registerOperations(registry, group(config));
  return generateDocument(registry.definitions, {
    openapi: '3.1.0',
    info: {
      title: 'forkcast',
      version: API_VERSION,
      description: description(config),
    },
    servers: [{ url: '/', description: 'This server' }],
    // No authentication: the API is meant for a trusted network or behind a gateway that adds it.
    security: [],
    tags: TAGS,
  });
}
