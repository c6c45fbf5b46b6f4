// The whole answer for a person: the engine's result and the advice it leads to. The queue's
// processor and the CLI call this; sweeps and fits call simulate() alone.

import { simulate, type SimulateHooks } from '../engine/simulate.js';
import type { SimulationResult, Summary } from '../schemas/result.js';
import type { Scenario } from '../schemas/scenario.js';
import { advise } from './advise.js';

/**
 * Advice answers "what do I change?", a question a verdict of `tight` or `oom` asks; an `ok` one,
 * or none without a host limit, gets none. It also keeps the dozen re-runs off the many points of
 * a sweep that fit.
 */
const ADVISED_LEVELS: ReadonlySet<string> = new Set(['tight', 'oom']);

export function forecast(scenario: Scenario, hooks: SimulateHooks = {}): SimulationResult {
  const { summary, series } = simulate(scenario, hooks);
  const advice = summary.verdict.level !== null && ADVISED_LEVELS.has(summary.verdict.level) ? advise(scenario, summary, hooks) : [];
  // Advice beside the warnings, where a reader of the JSON looks for it.
  const ordered: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(summary)) {
    ordered[key] = value;
    if (key === 'warnings') ordered.advice = advice;
  }
  return { summary: ordered as unknown as Summary, series };
}
