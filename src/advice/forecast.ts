// The whole answer for a person: the engine's result and the advice it leads to. The queue's
// processor and the CLI call this; sweeps and fits call simulate() alone.

import { simulate, type SimulateHooks } from '../engine/simulate.js';
import type { SimulationResult, Summary } from '../schemas/result.js';
import type { Scenario } from '../schemas/scenario.js';
import { advise } from './advise.js';

export function forecast(scenario: Scenario, hooks: SimulateHooks = {}): SimulationResult {
  const { summary, series } = simulate(scenario, hooks);
  const advice = advise(scenario, summary, hooks);
  // Advice beside the warnings, where a reader of the JSON looks for it.
  const ordered: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(summary)) {
    ordered[key] = value;
    if (key === 'warnings') ordered.advice = advice;
  }
  return { summary: ordered as unknown as Summary, series };
}
