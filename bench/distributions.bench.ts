// Throughput of the key-rank samplers on one core, in samples per second, at n = 1e10 keys.
// Each distribution gets its own loop so every call site stays monomorphic, as in an engine
// that builds one sampler per simulated run. Run with `npx tsx bench/distributions.bench.ts`.

import { createRankSampler, type KeyDistribution, type RankSampler } from '../src/engine/key-distribution.js';
import { Rng } from '../src/engine/rng.js';

const SAMPLES = 20_000_000;
const ROUNDS = 3;
const N = 1e10;

// Rank sums are printed so no loop can be optimised away.
function uniformLoop(s: RankSampler, rng: Rng, count: number): number {
  let sum = 0;
  for (let i = 0; i < count; i++) sum += s.sample(rng);
  return sum;
}
function zipfLoop(s: RankSampler, rng: Rng, count: number): number {
  let sum = 0;
  for (let i = 0; i < count; i++) sum += s.sample(rng);
  return sum;
}
function hotsetLoop(s: RankSampler, rng: Rng, count: number): number {
  let sum = 0;
  for (let i = 0; i < count; i++) sum += s.sample(rng);
  return sum;
}

const cases: { name: string; dist: KeyDistribution; loop: typeof uniformLoop }[] = [
  { name: 'uniform', dist: { type: 'uniform' }, loop: uniformLoop },
  { name: 'zipf(0.99)', dist: { type: 'zipf', exponent: 0.99 }, loop: zipfLoop },
  { name: 'hotset(0.1, 0.9)', dist: { type: 'hotset', hotKeyFraction: 0.1, hotWriteFraction: 0.9 }, loop: hotsetLoop },
];

for (const { name, dist, loop } of cases) {
  const sampler = createRankSampler(dist, N);
  loop(sampler, new Rng(0), 2_000_000); // warm-up: let the JIT optimise the loop
  // Best of a few rounds: on a shared machine interference only ever makes a round slower.
  let best = 0;
  let meanRank = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    const rng = new Rng(round);
    const start = process.hrtime.bigint();
    const sum = loop(sampler, rng, SAMPLES);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    best = Math.max(best, SAMPLES / seconds);
    meanRank = sum / SAMPLES;
  }
  console.log(
    `${name.padEnd(17)} n=1e10  ${(best / 1e6).toFixed(1).padStart(5)} M samples/s` +
      `  (mean rank / n = ${(meanRank / N).toFixed(4)})`,
  );
}
