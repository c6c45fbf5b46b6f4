// Keys expiring while a BGSAVE child lives, through the engine: the active expire cycle's
// deletes (active-expire.ts) and the dictionary pages they copy (expiry.ts), against the forks
// measured with no client writes at all (test/fixtures/expiry/, validation/expire-probe.ts).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHILD_BASELINE_PRIVATE_BYTES } from '../src/engine/resolve.js';
import { simulate } from '../src/engine/simulate.js';
import { ScenarioSchema } from '../src/schemas/scenario.js';

interface Fixture {
  spec: { valueBytes: number; hz: number; sampleSec: number; ttlShare: number; ttlFromSec: number; ttlToSec: number };
  summary: Array<{ keys_with_ttl: number; pages_copied_with_child: number }>;
}
const load = (name: string): Fixture => JSON.parse(readFileSync(new URL(`./fixtures/expiry/${name}.json`, import.meta.url), 'utf8')) as Fixture;
/** What the parent copies with nothing due (its bookkeeping, the sampler's INFO), idle-100b. */
const bookkeepingPages = Math.max(...load('idle-100b').summary.map((s) => s.pages_copied_with_child));

describe('pages copied by keys expiring during a fork', () => {
  for (const name of ['uniform-10s', 'uniform-10s-hz100', 'trickle-100b', 'trickle-1kib', 'backlog']) {
    it(name, () => {
      const { spec, summary } = load(name);
      const keys = Math.round(summary[0]!.keys_with_ttl / spec.ttlShare);
      // Keys already due at the fork are a backlog due at once.
      const remainingSec = { from: Math.max(0, spec.ttlFromSec), to: Math.max(0.001, spec.ttlToSec) };
      const result = simulate(
        ScenarioSchema.parse({
          dataset: { keyBytes: 10, segments: [{ type: 'string', keys, valueBytes: spec.valueBytes, ttl: { share: spec.ttlShare, remainingSec } }] },
          snapshot: { durationSec: spec.sampleSec },
          redis: { hz: spec.hz },
        }),
      ).summary;
      const modelled = (result.cowPeakBytes - CHILD_BASELINE_PRIVATE_BYTES) / 4096;
      const measured = summary.map((s) => s.pages_copied_with_child - bookkeepingPages);
      const error = modelled / (measured.reduce((a, b) => a + b, 0) / measured.length) - 1;
      expect(Math.abs(error), `${modelled.toFixed(0)} modelled, ${measured.join(' / ')} measured`).toBeLessThan(0.15);
    });
  }
});
