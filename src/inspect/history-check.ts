// The draft held against the instance's own last save: the engine forecasts that save, and the
// forecast stands beside what INFO reported. The save's duration is forecast from the default
// save throughput, since the draft takes its durationSec from that very figure.
import { EngineError } from '../engine/errors.js';
import { round } from '../engine/numbers.js';
import { simulate } from '../engine/simulate.js';
import type { HistoryCheck, LastSave } from '../schemas/inspect.js';
import { ScenarioSchema, type ScenarioInput } from '../schemas/scenario.js';

function forecast(input: ScenarioInput) {
  return simulate(ScenarioSchema.parse({ ...input, simulation: { ...input.simulation, mode: 'expected' } })).summary;
}

export function historyCheck(draft: ScenarioInput, lastSave: LastSave): HistoryCheck {
  const notes = [
    'The forecast uses today’s dataset and write rate; the last save ran under the load of its own moment.',
    'latest_fork_usec is the last fork of any kind (save, AOF rewrite, full sync).',
  ];
  if (lastSave.status !== 'ok') notes.push(`The last save ended with status ${lastSave.status}.`);
  try {
    const summary = forecast(draft);
    const { durationSec: _given, ...snapshot } = draft.snapshot ?? {};
    const fromThroughput = forecast({ ...draft, snapshot });
    return {
      rows: [
        { field: 'rdb_last_cow_size', reported: lastSave.rdbLastCowSizeBytes, forecast: Math.round(summary.rdbLastCowSize) },
        { field: 'latest_fork_usec', reported: lastSave.latestForkUsec, forecast: Math.round(summary.latestForkUsec) },
        { field: 'rdb_last_bgsave_time_sec', reported: lastSave.rdbLastBgsaveTimeSec, forecast: round(fromThroughput.rdbBgsaveTimeSec, 2) },
      ],
      notes,
    };
  } catch (err) {
    if (!(err instanceof EngineError)) throw err;
    return {
      rows: [
        { field: 'rdb_last_cow_size', reported: lastSave.rdbLastCowSizeBytes, forecast: null },
        { field: 'latest_fork_usec', reported: lastSave.latestForkUsec, forecast: null },
        { field: 'rdb_last_bgsave_time_sec', reported: lastSave.rdbLastBgsaveTimeSec, forecast: null },
      ],
      forecastUnavailable: `${err.path.join('.') || 'scenario'}: ${err.message} (${err.code})`,
      notes,
    };
  }
}
