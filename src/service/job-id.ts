// Simulation ids derived from content, the same whichever service implementation assigns them:
// the same scenario (same seed) always maps to the same id, so it is simulated once and served
// from the store afterwards. BullMQ job ids must not contain ':' and must not be all digits; a
// fixed letter prefix rules out both.
import { createHash } from 'node:crypto';
import type { Scenario } from '../schemas/scenario.js';

/** Part of every hash: bump it when a change of the engine should invalidate stored results. */
const SIMULATION_SALT = 'forkcast/simulation/1';
// 2: the key is scoped to its client (1 hashed the key alone, shared by every client).
const IDEMPOTENCY_SALT = 'forkcast/idempotency-key/2';
const PLANNING_SALT = 'forkcast/planning/1';
const SWEEP_SALT = 'forkcast/sweep/1';
const HASH_HEX_CHARS = 16;

/** JSON with object keys sorted at every depth; array order is kept, undefined members dropped. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
  return sorted;
}

function digest(salt: string, text: string): string {
  return createHash('sha256').update(salt).update('\0').update(text).digest('hex').slice(0, HASH_HEX_CHARS);
}

/** `sim-` and 16 hex characters of the SHA-256 of the parsed scenario's canonical JSON. */
export function simulationId(scenario: Scenario): string {
  return `sim-${digest(SIMULATION_SALT, canonicalJson(scenario))}`;
}

/** `key-` and 16 hex characters of the SHA-256 of a client's scope and its Idempotency-Key: one client's key never names another's record. */
export function idempotencyId(scope: string, key: string): string {
  return `key-${digest(IDEMPOTENCY_SALT, canonicalJson({ key, scope }))}`;
}

/** The SHA-256 (hex) of a request body's canonical JSON: a reused Idempotency-Key must come with the same fingerprint. */
export function requestFingerprint(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

/** `plan-` or `host-` and 16 hex characters of the SHA-256 of the parsed request's canonical JSON. */
export function planningId(kind: 'plan' | 'host', request: unknown): string {
  return `${kind}-${digest(`${PLANNING_SALT}/${kind}`, canonicalJson(request))}`;
}

/** `swp-` and 16 hex characters of the SHA-256 of the axes (as applied) and the points' simulation ids. */
export function sweepId(axes: ReadonlyArray<{ path: string; values: readonly unknown[] }>, pointIds: readonly string[]): string {
  return `swp-${digest(SWEEP_SALT, canonicalJson({ axes, points: pointIds }))}`;
}
