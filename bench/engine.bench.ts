// Engine speed and memory: `npm run bench`. Each case runs in its own process; the figures
// to reach are printed beside the measured ones.
//   expected mode: any scenario up to 1 TiB, 1e10 keys, 1e7 writes/s, 1 h in < 1 s and < 256 MiB
//   exact mode:    ≥ 20 million simulated writes per second on one core
//   planning:      64 GiB uniform, 64 GiB Zipf and 1 TiB Zipf in ≤ 10 ms each (mean of 10 calls
//                  in one process after six warm-up calls: a sweep or a plan calls the engine so)
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { ScenarioInput } from '../src/schemas/scenario.js';

const caseFile = fileURLToPath(new URL('./engine-case.ts', import.meta.url));
const MiB = 2 ** 20;

interface Outcome {
  wallMs: number;
  /** Of the repeated calls after the first, when asked for. */
  meanMs?: number;
  minMs?: number;
  maxRssBytes: number;
  baselineRssBytes: number;
  writes: number;
  forks: number;
}

function runCase(scenario: ScenarioInput, repeat = 0, warmUp = 0): Outcome {
  const out = execFileSync(process.execPath, ['--import', 'tsx', caseFile, JSON.stringify(scenario), String(repeat), String(warmUp)], { encoding: 'utf8' });
  return JSON.parse(out) as Outcome;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const huge = { writesPerSec: 1e7, serviceUsecPerWrite: 0.1 };
const expectedCases: Array<[string, ScenarioInput]> = [
  ['1 TiB, 100 B values, uniform', { dataset: { usedMemoryBytes: '1TiB', valueBytes: 100 }, workload: huge, snapshot: { durationSec: 3600 } }],
  ['1e10 keys, 8 B values, zipf 0.99', { dataset: { keys: 1e10, valueBytes: 8, keyBytes: 12 }, workload: { ...huge, keyDistribution: { type: 'zipf', exponent: 0.99 } }, snapshot: { durationSec: 3600 } }],
  ['1 TiB, 64 KiB values, Redis 7 dismiss', { dataset: { usedMemoryBytes: '1TiB', valueBytes: '64KiB' }, workload: huge, snapshot: { durationSec: 3600 } }],
  ['1 TiB, THP copy-2m, hot set', { dataset: { usedMemoryBytes: '1TiB', valueBytes: 500 }, workload: { ...huge, keyDistribution: { type: 'hotset' } }, snapshot: { durationSec: 3600 }, kernel: { thp: 'always', thpCow: 'copy-2m' }, redis: { disableThp: false } }],
  [
    'full sync, 64 GiB, 5-fork disconnect loop',
    {
      dataset: { usedMemoryBytes: '64GiB', valueBytes: '1KiB' },
      workload: { writesPerSec: 20_000 },
      snapshot: { trigger: 'full-sync' },
      redis: { saveConfigured: false },
      replication: { diskless: false },
    },
  ],
];

// What a sweep or a plan asks many times over: save throughput, platform and service time at
// their defaults, 1 KiB values, 20,000 writes/s (Zipf exponent 0.99, the YCSB default).
const zipf = { type: 'zipf' as const, exponent: 0.99 };
const planningCases: Array<[string, ScenarioInput]> = [
  ['64 GiB, 1 KiB values, uniform', { dataset: { usedMemoryBytes: '64GiB', valueBytes: '1KiB' }, workload: { writesPerSec: 20_000 } }],
  ['64 GiB, 1 KiB values, zipf 0.99', { dataset: { usedMemoryBytes: '64GiB', valueBytes: '1KiB' }, workload: { writesPerSec: 20_000, keyDistribution: zipf } }],
  ['1 TiB, 1 KiB values, zipf 0.99', { dataset: { usedMemoryBytes: '1TiB', valueBytes: '1KiB' }, workload: { writesPerSec: 20_000, keyDistribution: zipf } }],
];
const PLANNING_CALLS = 10;

const fast = { writesPerSec: 1e7, serviceUsecPerWrite: 0.1 };
const exactCases: Array<[string, ScenarioInput]> = (['uniform', 'zipf', 'hotset', 'sequential'] as const).map((type) => [
  `exact, 4 GiB, 100 B values, ${type}`,
  {
    dataset: { usedMemoryBytes: '4GiB', valueBytes: 100 },
    workload: { ...fast, keyDistribution: type === 'zipf' ? { type, exponent: 0.99 } : { type } },
    kernel: { cowFaultUsec: 0.0001 },
    snapshot: { durationSec: 6 },
    simulation: { mode: 'exact' },
  },
]);

console.log(`machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`);
console.log('\nexpected mode (target: < 1000 ms, < 256 MiB peak RSS); median of 3 runs');
for (const [name, scenario] of expectedCases) {
  const outcomes = [runCase(scenario), runCase(scenario), runCase(scenario)];
  const wall = median(outcomes.map((o) => o.wallMs));
  const rss = median(outcomes.map((o) => o.maxRssBytes));
  const verdict = wall < 1000 && rss < 256 * MiB ? 'ok' : 'MISSED';
  const forks = outcomes[0]!.forks > 1 ? `  ${outcomes[0]!.forks} forks` : '';
  console.log(`  ${name.padEnd(42)} ${wall.toFixed(0).padStart(6)} ms  peak RSS ${(rss / MiB).toFixed(0).padStart(4)} MiB  ${verdict}${forks}`);
}
console.log(`\nplanning, in one process (target: ≤ 10 ms, mean of ${PLANNING_CALLS} calls after a warm-up); median of 3 processes`);
// After one call, and after six: the first few calls still run while the JIT compiles, and a
// sweep or a plan is past them after its first points.
for (const [name, scenario] of planningCases) {
  const cold = median([1, 2, 3].map(() => runCase(scenario, PLANNING_CALLS).meanMs!));
  const warm = [1, 2, 3].map(() => runCase(scenario, PLANNING_CALLS, 5));
  const mean = median(warm.map((o) => o.meanMs!));
  const fastest = Math.min(...warm.map((o) => o.minMs!));
  console.log(`  ${name.padEnd(42)} ${mean.toFixed(1).padStart(6)} ms  after one call ${cold.toFixed(1)} ms  fastest ${fastest.toFixed(1)} ms  ${mean <= 10 ? 'ok' : 'MISSED'}`);
}

// A 20-segment dataset against one segment of the same keys: the target is at most 2×.
const twentySegments = Array.from({ length: 20 }, (_, i) => ({ type: 'string' as const, keys: 5e7, valueBytes: 50 + 30 * i }));
const segmentCases: Array<[string, ScenarioInput]> = [
  ['1e9 keys in one string segment', { dataset: { segments: [{ type: 'string', keys: 1e9, valueBytes: 335 }] }, workload: huge, snapshot: { durationSec: 3600 } }],
  ['1e9 keys in 20 string segments', { dataset: { segments: twentySegments }, workload: huge, snapshot: { durationSec: 3600 } }],
];
console.log('\nsegments (target: 20 segments ≤ 2× one); median of 3 runs');
const segmentWall = segmentCases.map(([name, scenario]) => {
  const wall = median([runCase(scenario), runCase(scenario), runCase(scenario)].map((o) => o.wallMs));
  console.log(`  ${name.padEnd(42)} ${wall.toFixed(0).padStart(6)} ms`);
  return wall;
});
const segmentRatio = segmentWall[1]! / segmentWall[0]!;
console.log(`  ratio ${segmentRatio.toFixed(2)}×  ${segmentRatio <= 2 ? 'ok' : 'MISSED'}`);

console.log('\nexact mode (target: ≥ 20 million simulated writes/s); median of 3 runs');
for (const [name, scenario] of exactCases) {
  const outcomes = [runCase(scenario), runCase(scenario), runCase(scenario)];
  const rate = median(outcomes.map((o) => o.writes / (o.wallMs / 1000)));
  const rss = median(outcomes.map((o) => o.maxRssBytes - o.baselineRssBytes));
  const verdict = rate >= 20e6 ? 'ok' : 'MISSED';
  console.log(`  ${name.padEnd(42)} ${(rate / 1e6).toFixed(1).padStart(6)} M writes/s  memory +${(rss / MiB).toFixed(0)} MiB  ${verdict}`);
}
