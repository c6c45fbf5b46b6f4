// `npm run openapi` writes openapi/openapi.json; `npm run openapi:check` (with --check) fails
// when the committed file differs from what the schemas generate now. Both use the default
// configuration, whatever the environment says, so the file does not depend on who runs it.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config.js';
import { buildOpenApiDocument } from './openapi.js';

export const OPENAPI_FILE = fileURLToPath(new URL('../../openapi/openapi.json', import.meta.url));

/** The document for the default configuration, as committed: 2-space JSON with a final newline. */
export function renderOpenApiDocument(): string {
  return `${JSON.stringify(buildOpenApiDocument(loadConfig({})), null, 2)}\n`;
}

function main(args: string[]): number {
  const text = renderOpenApiDocument();
  if (!args.includes('--check')) {
    mkdirSync(dirname(OPENAPI_FILE), { recursive: true });
    writeFileSync(OPENAPI_FILE, text);
    console.log(`wrote ${OPENAPI_FILE}`);
    return 0;
  }
  let committed = '';
  try {
    committed = readFileSync(OPENAPI_FILE, 'utf8');
  } catch {
    console.error(`${OPENAPI_FILE} is missing; run npm run openapi`);
    return 1;
  }
  if (committed !== text) {
    console.error(`${OPENAPI_FILE} is stale: the schemas generate a different document; run npm run openapi and commit it`);
    return 1;
  }
  console.log(`${OPENAPI_FILE} is up to date`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main(process.argv.slice(2));
