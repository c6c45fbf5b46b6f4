// The example scenarios in examples/*.json, read once at start. A file that is not a valid
// scenario is left out with a warning rather than keeping the API from starting.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { ExampleScenario } from '../schemas/http.js';
import { fieldIssues } from '../schemas/issues.js';
import { ScenarioSchema, type ScenarioInput } from '../schemas/scenario.js';

/** examples/ at the repository root, from src/http/ and from the compiled dist/http/ alike. */
export const DEFAULT_EXAMPLES_DIR = fileURLToPath(new URL('../../examples/', import.meta.url));

export function loadExamples(dir: string, logger?: Logger): ExampleScenario[] {
  if (!existsSync(dir)) return [];
  const examples: ExampleScenario[] = [];
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.json')).sort()) {
    const path = join(dir, file);
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      logger?.warn({ path, err }, 'example scenario is not readable JSON; left out of /v1/presets');
      continue;
    }
    const parsed = ScenarioSchema.safeParse(json);
    if (!parsed.success) {
      logger?.warn({ path, errors: fieldIssues(parsed.error) }, 'example scenario is invalid; left out of /v1/presets');
      continue;
    }
    examples.push({ id: basename(file, '.json'), scenario: json as ScenarioInput });
  }
  return examples;
}
