// `--fail-on-oom`: does the answer say the host runs out of memory? A simulation's summary, any
// row of a sweep, any scenario of a comparison; a host whose summed peak does not fit; a plan
// for which no value fits the host.
import type { BodyKind } from '../../client/bodies.js';
import { at } from './format.js';

function summarySaysOom(node: Record<string, unknown>): boolean | undefined {
  const verdict = node.verdict as { level?: unknown } | undefined;
  // The verdict, where the server gives one, is the judgement; `oom.atRisk` otherwise.
  if (verdict && typeof verdict === 'object' && typeof verdict.level === 'string') return verdict.level === 'oom';
  const oom = node.oom as { atRisk?: unknown } | undefined;
  if (oom && typeof oom === 'object' && typeof oom.atRisk === 'boolean') return oom.atRisk;
  return undefined;
}

/** Some summary in the value, at any depth outside a series, says OOM. */
export function anySummarySaysOom(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some(anySummarySaysOom);
  const node = value as Record<string, unknown>;
  if (summarySaysOom(node) === true) return true;
  return Object.entries(node).some(([key, inner]) => key !== 'series' && anySummarySaysOom(inner));
}

export function saysOom(kind: BodyKind, answer: unknown): boolean {
  if (kind === 'host') return at(answer, 'peak.fits') === false;
  if (kind === 'plan') {
    // A plan's boundary fits by construction; OOM is when not even the first value tried does.
    const probes = at(answer, 'probes');
    return at(answer, 'answer.value') === null && Array.isArray(probes) && probes.length > 0 && probes.every((probe) => at(probe, 'fits') === false);
  }
  return anySummarySaysOom(answer);
}
