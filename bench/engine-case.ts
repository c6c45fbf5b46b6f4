// Runs one benchmark case in a fresh process so that its peak memory is its own.
// Usage: tsx bench/engine-case.ts '<scenario JSON>'  → prints { wallMs, maxRssBytes, writes }.
import { simulate } from '../src/engine/simulate.js';
import { ScenarioSchema } from '../src/schemas/scenario.js';

const scenario = ScenarioSchema.parse(JSON.parse(process.argv[2] ?? '{}'));
const baselineRss = process.resourceUsage().maxRSS * 1024;
const started = performance.now();
const result = simulate(scenario);
const wallMs = performance.now() - started;
process.stdout.write(
  JSON.stringify({
    wallMs,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    baselineRssBytes: baselineRss,
    writes: result.summary.writes,
    cowPeakBytes: result.summary.cowPeakBytes,
    forks: result.summary.forks,
  }),
);
