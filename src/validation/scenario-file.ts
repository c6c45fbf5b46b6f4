// The validation scenarios file (validation/scenarios.json): a list of the scenarios to
// measure (src/measured-run/validation-scenario.ts) — BGSAVEs, full syncs and AOF rewrites —
// by name, some marked quick.
import { readFile } from 'node:fs/promises';
import { issueLines } from '../schemas/issues.js';
import { z } from '../schemas/zod.js';
import { ValidationEntrySchema, type ValidationEntry } from '../measured-run/validation-scenario.js';

export const ScenarioFileSchema = z.union([
  z.array(ValidationEntrySchema).min(1),
  z.object({ scenarios: z.array(ValidationEntrySchema).min(1) }).transform((f) => f.scenarios),
]);

export class ScenarioFileError extends Error {}

export function parseScenarioFile(json: unknown, source: string): ValidationEntry[] {
  const parsed = ScenarioFileSchema.safeParse(json);
  if (!parsed.success) {
    const lines = issueLines(parsed.error);
    throw new ScenarioFileError(`${source} is not a valid scenarios file:\n${lines.join('\n')}`);
  }
  const names = new Set<string>();
  for (const s of parsed.data) {
    if (names.has(s.name)) throw new ScenarioFileError(`${source}: scenario name ${s.name} appears twice`);
    names.add(s.name);
  }
  return parsed.data;
}

export async function readScenarioFile(file: string): Promise<ValidationEntry[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ScenarioFileError(`cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    return parseScenarioFile(JSON.parse(text), file);
  } catch (err) {
    if (err instanceof SyntaxError) throw new ScenarioFileError(`${file} is not valid JSON: ${err.message}`);
    throw err;
  }
}

export interface SelectOptions {
  only?: string[] | undefined;
  quick?: boolean | undefined;
}

/** Scenarios named by --only (in file order; unknown names are an error), else the quick ones with --quick, else all. */
export function selectScenarios(all: ValidationEntry[], { only, quick }: SelectOptions): ValidationEntry[] {
  let selected = all;
  if (only && only.length > 0) {
    const unknown = only.filter((name) => !all.some((s) => s.name === name));
    if (unknown.length > 0) {
      throw new ScenarioFileError(`no scenario named ${unknown.join(', ')}; known: ${all.map((s) => s.name).join(', ')}`);
    }
    selected = all.filter((s) => only.includes(s.name));
  }
  if (quick) selected = selected.filter((s) => s.quick);
  if (selected.length === 0) throw new ScenarioFileError('no scenario selected');
  return selected;
}
