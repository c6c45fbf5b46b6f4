// `--fail-on-oom`: does any summary in an answer (a simulation's, every row of a sweep, a plan's
// boundary, each scenario of a comparison) say the host runs out of memory?
function summarySaysOom(node: Record<string, unknown>): boolean | undefined {
  const verdict = node.verdict as { level?: unknown } | undefined;
  // The verdict, where the server gives one, is the judgement; `oom.atRisk` otherwise.
  if (verdict && typeof verdict === 'object' && typeof verdict.level === 'string') return verdict.level === 'oom';
  const oom = node.oom as { atRisk?: unknown } | undefined;
  if (oom && typeof oom === 'object' && typeof oom.atRisk === 'boolean') return oom.atRisk;
  return undefined;
}

export function saysOom(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some(saysOom);
  const node = value as Record<string, unknown>;
  if (summarySaysOom(node) === true) return true;
  return Object.entries(node).some(([key, inner]) => key !== 'series' && saysOom(inner));
}
