// Copy-on-write of same-size SET overwrites in a fragmented heap: fill factor × N keys by DEBUG
// POPULATE, a seeded random share deleted down to N (src/harness/fill.ts), MEMORY PURGE, then the
// held and finishing-save measurements of validation/large-value-probe.ts over the survivors
// (dismiss on, Redis 7.0 defaults). Fill factor 1 is the unfragmented baseline. N is sized for
// 128 MiB of live data by the engine's layout (keysForDataset).
//
//   npx tsx validation/fragmentation-probe.ts --port 6450 [--values 100,1024,4096] [--factors 1,1.2,1.6,2,3]
//       [--history delete|expire]
//       [--out test/fixtures/fragmentation.json]
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { round } from '../src/engine/numbers.js';
import { hostFacts } from '../src/harness/environment.js';
import { keysForDataset } from '../src/harness/fill.js';
import { readThp } from '../src/harness/thp.js';
import { flag, formatFixture, measureCase, SAMPLE_FIELDS, type LargeValueCase } from './large-value-probe.js';

const LIVE_MIB = 128;
const DEFAULT_VALUES = [100, 1024, 4096];
const DEFAULT_FACTORS = [1, 1.2, 1.6, 2, 3];


async function main(argv: string[]): Promise<void> {
  const port = Number(flag(argv, '--port') ?? 6450);
  if (!(port >= 6400 && port <= 6499)) throw new Error('--port must be in 6400–6499');
  const values = (flag(argv, '--values') ?? DEFAULT_VALUES.join(',')).split(',').map(Number);
  const factors = (flag(argv, '--factors') ?? DEFAULT_FACTORS.join(',')).split(',').map(Number);
  const history = (flag(argv, '--history') ?? 'delete') as 'delete' | 'expire';
  if (history !== 'delete' && history !== 'expire') throw new Error('--history must be delete or expire');
  const sameHistory = (c: LargeValueCase) => (c.history ?? 'delete') === history;
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const out = resolve(flag(argv, '--out') ?? join(root, 'test/fixtures/fragmentation.json'));
  const log = (line: string) => process.stderr.write(`fragmentation-probe: ${line}\n`);
  const previous = existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as { cases: LargeValueCase[] }).cases : [];
  const cases = previous.filter((c) => !(sameHistory(c) && values.includes(c.valueBytes) && factors.includes(c.fillFactor ?? 1)));
  const host = { ...hostFacts(), loadavgAtStart: loadavg().map((l) => round(l, 2)) };
  for (const valueBytes of values)
    for (const fillFactor of factors) {
      const keys = keysForDataset(LIVE_MIB, valueBytes);
      const measured = await measureCase(valueBytes, 'dismiss', 0, port, log, { keys, fillFactor, history });
      cases.push({ ...measured, fillFactor });
    }
  cases.sort((a, b) => (a.history ?? '').localeCompare(b.history ?? '') || a.valueBytes - b.valueBytes || (a.fillFactor ?? 1) - (b.fillFactor ?? 1));
  const fixture = {
    description: `Copy-on-write of random same-size SET overwrites after fill factor × N keys were populated and a random share deleted down to N (${LIVE_MIB} MiB live), Redis 7.0 defaults (dismiss on). held and save as in large-values.json. See fragmentation.README.md.`,
    host,
    thp: readThp(),
    sampleFields: SAMPLE_FIELDS,
    liveMib: LIVE_MIB,
    cases,
  };
  writeFileSync(out, formatFixture(fixture));
  log(`wrote ${out}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main(process.argv.slice(2)).catch((err: Error) => {
    process.stderr.write(`fragmentation-probe: ${err.stack ?? err.message}\n`);
    process.exitCode = 1;
  });
}
