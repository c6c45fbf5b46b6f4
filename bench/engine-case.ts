// Runs one benchmark case in a fresh process so that its peak memory is its own.
// Usage: tsx bench/engine-case.ts '<scenario JSON>' [repeat [warmUp]]  → prints { wallMs, maxRssBytes, writes, … };
// with `repeat`, also the mean and fastest of that many further calls after `warmUp` more
// (the first calls run while the JIT still compiles).
import { simulate } from '../src/engine/simulate.js';
import { ScenarioSchema } from '../src/schemas/scenario.js';

const scenario = ScenarioSchema.parse(JSON.parse(process.argv[2] ?? '{}'));
const repeat = Number(process.argv[3] ?? 0);
const warmUp = Number(process.argv[4] ?? 0);
const baselineRss = process.resourceUsage().maxRSS * 1024;
const started = performance.now();
const result = simulate(scenario);
const wallMs = performance.now() - started;
for (let i = 0; i < warmUp; i++) simulate(scenario);
const repeatMs: number[] = [];
for (let i = 0; i < repeat; i++) {
  const t = performance.now();
  simulate(scenario);
  repeatMs.push(performance.now() - t);
}
process.stdout.write(
  JSON.stringify({
    wallMs,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    baselineRssBytes: baselineRss,
    writes: result.summary.writes,
    cowPeakBytes: result.summary.cowPeakBytes,
    forks: result.summary.forks,
    ...(repeat > 0 ? { meanMs: repeatMs.reduce((a, b) => a + b, 0) / repeat, minMs: Math.min(...repeatMs) } : {}),
  }),
);
