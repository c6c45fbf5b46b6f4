// The engine's copy-on-write per encoding against the pages one write copied on a real
// redis-server 7.0.15 (test/fixtures/encoding-probe.json, validation/encoding-probe.ts): W
// writes, keys and elements chosen uniformly, while a BGSAVE child has saved nothing yet, at a
// small W (few keys written twice) and at W = N/2 (pages shared by several written keys).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ExpectedCow, expectedCowTracker } from '../src/engine/cow-expected.js';
import { resolveRun } from '../src/engine/resolve.js';
import { distinctShareCurve } from '../src/engine/write-mix.js';
import { ScenarioSchema, type ScenarioInput } from '../src/schemas/scenario.js';

interface Phase {
  writes: number;
  pagesPerWrite: number;
}
interface Case {
  name: string;
  type: 'string' | 'hash' | 'set' | 'zset' | 'list';
  encoding: string;
  keys: number;
  elements: number;
  fieldBytes: number | null;
  elementBytes: number;
  commandsPerWrite: number;
  runs: Array<{ small: Phase; large: Phase }>;
}

const fixture = JSON.parse(readFileSync(new URL('./fixtures/encoding-probe.json', import.meta.url), 'utf8')) as { cases: Case[] };

/** The segment a user would describe for the probe's keys (`k:N`, 6–8 B names). */
function segmentFor(c: Case): NonNullable<ScenarioInput['dataset']['segments']>[number] {
  if (c.type === 'string') return c.encoding === 'int' ? { type: 'string', keys: c.keys, valueBytes: 10, writeOp: 'INCR' } : { type: 'string', keys: c.keys, valueBytes: c.elementBytes };
  // Integer members: int16 in the intset, decimal strings of up to 5 digits in a hashtable.
  if (c.type === 'set' && c.elementBytes === 0) return { type: 'set', keys: c.keys, elements: c.elements, elementBytes: c.elements > 512 ? 5 : 2, intMembers: true };
  if (c.type === 'hash') return { type: 'hash', keys: c.keys, elements: c.elements, elementBytes: c.fieldBytes! + c.elementBytes, fieldBytes: c.fieldBytes! };
  return { type: c.type, keys: c.keys, elements: c.elements, elementBytes: c.elementBytes };
}

/** Pages the engine copies for W writes of the case's operation, nothing saved yet. */
function modelPagesPerWrite(c: Case, writes: number): { pages: number; encoding: string } {
  const run = resolveRun(ScenarioSchema.parse({ dataset: { keyBytes: 7, segments: [segmentFor(c)] }, snapshot: { durationSec: 10 } }));
  const s = run.dataset!.segments[0]!;
  const tracker = expectedCowTracker(new ExpectedCow(s.layout, { dismiss: false, copyHugePages: false }), distinctShareCurve(s.writeMix, 1e9), false);
  const commands = writes * c.commandsPerWrite;
  tracker.advance(commands * s.unitWritesPerCommand, commands * s.bucketWritesPerCommand, 0, 0);
  return { pages: tracker.copiedPages() / writes, encoding: s.encoding };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Where the model is known to stand apart, and why. */
const KNOWN: Record<string, string> = {
  // LPUSH on a head node already at its 8 KiB limit starts a new node (fresh pages, no copy)
  // rather than moving the full one; the model moves the head node on every push.
  'list-quicklist-2000': 'over-predicts',
};

describe('pages one write copies, per encoding', () => {
  for (const c of fixture.cases) {
    for (const phase of ['small', 'large'] as const) {
      const measured = median(c.runs.map((r) => r[phase].pagesPerWrite));
      const writes = c.runs[0]![phase].writes;
      it(`${c.name}, W = ${writes}`, () => {
        const model = modelPagesPerWrite(c, writes);
        expect(model.encoding).toBe(c.encoding);
        const error = model.pages / measured - 1;
        const figures = `${model.pages.toFixed(3)} modelled, ${measured.toFixed(3)} measured`;
        if (KNOWN[c.name] === 'over-predicts') {
          expect(error, figures).toBeGreaterThan(0);
          expect(error, figures).toBeLessThan(1);
        } else {
          // Single-node lists and 7 KiB listpacks at a small W are the loosest (the header and
          // element pages of one write are not always two).
          expect(Math.abs(error), figures).toBeLessThan(phase === 'small' ? 0.15 : 0.1);
        }
      });
    }
  }
});
