// The validation scenarios file (validation/scenarios.json): each entry is the `scenario`
// field of a measured run (the ground-truth shape, snake_case) plus whether it belongs to the
// quick subset. `dataset_mib` sizes the fill by the engine's own per-key layout.
import { readFile } from 'node:fs/promises';
import { issueLines } from '../schemas/issues.js';
import { z } from '../schemas/zod.js';
import { RunDistributionSchema } from './measured-run.js';

export const ValidationScenarioSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9._-]{1,80}$/, 'letters, digits, dot, dash and underscore (it names the report file)'),
    description: z.string().max(300).optional(),
    quick: z.boolean().default(false),
    dataset_mib: z.number().gt(0).max(64 * 1024).optional(),
    keys: z.number().int().min(1).max(2 ** 31).optional(),
    value_bytes: z.number().int().min(1).max(2 ** 20),
    write_rate: z.number().min(0).max(1e6).default(0),
    distribution: RunDistributionSchema.default({ type: 'uniform' }),
    snapshot_seconds: z.number().gt(0).max(600),
    thp: z.enum(['never', 'always']).default('never'),
    fragmentation: z
      .object({ induce: z.boolean().default(false), fill_factor: z.number().min(1.1).max(8).default(2) })
      .strict()
      .prefault({}),
    sample_interval_ms: z.number().int().min(20).max(1000).default(100),
    warmup_seconds: z.number().min(0).max(60).default(1),
    probe: z.boolean().default(true),
    probe_seconds: z.number().min(0.5).max(10).default(2.5),
    rdb_key_save_delay: z.number().int().min(-1e6).max(1e6).nullable().default(null),
    max_inflight: z.number().int().min(1).max(100_000).optional(),
    seed: z.number().int().min(0).max(2 ** 32 - 1).default(1),
  })
  .strict()
  .superRefine((s, ctx) => {
    if ((s.dataset_mib === undefined) === (s.keys === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['dataset_mib'], message: 'give exactly one of dataset_mib and keys' });
    }
  });

export const ScenarioFileSchema = z.union([
  z.array(ValidationScenarioSchema).min(1),
  z.object({ scenarios: z.array(ValidationScenarioSchema).min(1) }).transform((f) => f.scenarios),
]);

export type ValidationScenario = z.output<typeof ValidationScenarioSchema>;
export type ValidationScenarioInput = z.input<typeof ValidationScenarioSchema>;

export class ScenarioFileError extends Error {}

export function parseScenarioFile(json: unknown, source: string): ValidationScenario[] {
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

export async function readScenarioFile(file: string): Promise<ValidationScenario[]> {
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
export function selectScenarios(all: ValidationScenario[], { only, quick }: SelectOptions): ValidationScenario[] {
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
