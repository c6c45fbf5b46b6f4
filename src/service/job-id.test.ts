import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SimulationIdSchema } from '../schemas/api.js';
import { ScenarioSchema, type Scenario, type ScenarioInput } from '../schemas/scenario.js';
import { canonicalJson, idempotencyId, requestFingerprint, simulationId } from './job-id.js';

const scenario = (input: ScenarioInput): Scenario => ScenarioSchema.parse(input);

function quickScenario(seed = 1): Scenario {
  return scenario({
    dataset: { usedMemoryBytes: '64MiB', valueBytes: 100 },
    workload: { writesPerSec: 1000 },
    snapshot: { durationSec: 2 },
    simulation: { seed, maxPoints: 200 },
  });
}

describe('canonicalJson', () => {
  it('sorts keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[3,{"y":2,"z":1}]},"b":1}');
  });
});

describe('simulationId', () => {
  it('is the same for the same scenario however it was written', () => {
    const a = scenario({ dataset: { valueBytes: 100, usedMemoryBytes: '1GiB' }, workload: { writesPerSec: 5000 }, snapshot: { durationSec: 30 } });
    const b = scenario({
      snapshot: { durationSec: 30 },
      workload: { keyDistribution: { type: 'uniform' }, writesPerSec: 5000 },
      dataset: { usedMemoryBytes: 1024 ** 3, valueBytes: 100, keyBytes: 16 },
      simulation: { seed: 1, mode: 'expected' },
    });
    expect(simulationId(a)).toBe(simulationId(b));
    expect(simulationId(a)).toMatch(/^sim-[0-9a-f]{16}$/);
  });

  it('differs when the seed or any field differs', () => {
    const ids = new Set([
      simulationId(quickScenario(1)),
      simulationId(quickScenario(2)),
      simulationId({ ...quickScenario(1), workload: { ...quickScenario(1).workload, writesPerSec: 1001 } }),
    ]);
    expect(ids.size).toBe(3);
  });

  it('is a valid BullMQ job id and API id', () => {
    const id = simulationId(quickScenario());
    expect(id).not.toContain(':');
    expect(id).not.toMatch(/^\d+$/);
    expect(SimulationIdSchema.safeParse(id).success).toBe(true);
  });
});

describe('idempotencyId', () => {
  it('is stable per scope and key, distinct across keys, across scopes and from scenario ids', () => {
    expect(idempotencyId('ip:10.0.0.1', 'nightly-2026-01-01')).toBe(idempotencyId('ip:10.0.0.1', 'nightly-2026-01-01'));
    expect(idempotencyId('ip:10.0.0.1', 'nightly-2026-01-01')).not.toBe(idempotencyId('ip:10.0.0.1', 'nightly-2026-01-02'));
    expect(idempotencyId('ip:10.0.0.1', 'nightly-2026-01-01')).not.toBe(idempotencyId('ip:10.0.0.2', 'nightly-2026-01-01'));
    // The parts cannot run into each other: scope "a" + key "bc" is not scope "ab" + key "c".
    expect(idempotencyId('a', 'bc')).not.toBe(idempotencyId('ab', 'c'));
    expect(idempotencyId('s', 'x')).toMatch(/^key-[0-9a-f]{16}$/);
    expect(SimulationIdSchema.safeParse(idempotencyId('s', 'x')).success).toBe(true);
  });
});

describe('requestFingerprint', () => {
  it('is the SHA-256 of the canonical JSON: key order does not count, any value does', () => {
    const body = { dataset: { usedMemoryBytes: '64MiB', valueBytes: 100 }, workload: { writesPerSec: 5000 } };
    const reordered = { workload: { writesPerSec: 5000 }, dataset: { valueBytes: 100, usedMemoryBytes: '64MiB' } };
    expect(requestFingerprint(body)).toBe(requestFingerprint(reordered));
    expect(requestFingerprint(body)).toBe(createHash('sha256').update(canonicalJson(body)).digest('hex'));
    expect(requestFingerprint(body)).toMatch(/^[0-9a-f]{64}$/);
    expect(requestFingerprint({ ...body, workload: { writesPerSec: 5001 } })).not.toBe(requestFingerprint(body));
  });
});
