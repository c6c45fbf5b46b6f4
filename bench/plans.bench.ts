// Plan speed: `npm run bench:plans`. Each question of a plan on a 1 TiB scenario, answered in
// process after one warm-up plan; the target is a p50 under 1 s. A plan costs its bisection
// steps times one simulate(), so the steps and the cost of one step are printed too.
import { cpus, loadavg } from 'node:os';
import { plan } from '../src/planning/plan.js';
import { simulate } from '../src/engine/simulate.js';
import { PLAN_QUESTIONS, PlanRequestSchema } from '../src/schemas/planning.js';
import { ScenarioSchema, type ScenarioInput } from '../src/schemas/scenario.js';

const RUNS = 5;
const TARGET_P50_MS = 1000;
const base: ScenarioInput = {
  name: '1 TiB, 1 KiB values, Zipf 0.99',
  dataset: { usedMemoryBytes: '1TiB', valueBytes: 1024 },
  workload: { writesPerSec: 100_000, keyDistribution: { type: 'zipf', exponent: 0.99 } },
  snapshot: { durationSec: 3600 },
};
// A host the base fits with room to spare, so that every question has an answer.
const host = { memoryBytes: '1.25TiB' };

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

console.log(`plans on ${base.name}; host ${host.memoryBytes}; ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
const scenario = ScenarioSchema.parse({ ...base, host });
for (let i = 0; i < 3; i++) simulate(scenario);
const stepStarted = performance.now();
for (let i = 0; i < 5; i++) simulate(scenario);
const stepMs = (performance.now() - stepStarted) / 5;
console.log(`one simulate() of the base: ${stepMs.toFixed(1)} ms (mean of 5 after 3 warm-ups)`);
plan(PlanRequestSchema.parse({ base, question: 'max-write-rate', host }));

const all: number[] = [];
for (const question of PLAN_QUESTIONS) {
  const request = PlanRequestSchema.parse({ base, question, host: question === 'min-host-memory' ? {} : host });
  const times: number[] = [];
  let result = plan(request);
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    result = plan(request);
    times.push(performance.now() - started);
  }
  all.push(...times);
  const p50 = median(times);
  console.log(
    `${question.padEnd(22)} p50 ${p50.toFixed(0).padStart(5)} ms  ${result.iterations} steps (${(p50 / result.iterations).toFixed(0)} ms each)  answer ${result.answer.value} ${result.answer.unit}  exact check: ${result.exactCheck.status}`,
  );
}
const p50 = median(all);
console.log(`all questions: p50 ${p50.toFixed(0)} ms (target < ${TARGET_P50_MS} ms): ${p50 < TARGET_P50_MS ? 'met' : 'NOT met'}`);
