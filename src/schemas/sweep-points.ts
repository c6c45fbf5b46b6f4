// A sweep's points: every combination of the axes' values (the first axis outermost), each the
// base scenario with those fields set and parsed again, so that a point is exactly what
// POST /v1/simulations would run for the same JSON. A path is checked against the scenario
// schema before any point is made; a value the schema rejects is reported with its axis and
// the point it belongs to.
import type { z } from 'zod';
import type { FieldIssue } from './issues.js';
import { ScenarioSchema, type Scenario } from './scenario.js';
import type { AxisValue, SweepAxis } from './sweep.js';

export interface SweepPoint {
  /** Axis path → the value this point gives it. */
  values: Record<string, AxisValue>;
  scenario: Scenario;
}

export type SweepPlan = { ok: true; axes: Array<{ path: string; values: AxisValue[] }>; points: SweepPoint[] } | { ok: false; code: 'VALIDATION_FAILED' | 'SWEEP_TOO_LARGE'; issues: FieldIssue[] };

/** Digits a generated value keeps: enough for any field, few enough that 0.1 + 0.2 prints as 0.3. */
const GENERATED_SIGNIFICANT_DIGITS = 12;

/** The values an axis stands for, in order. */
export function axisValues(axis: SweepAxis): AxisValue[] {
  if ('values' in axis) return axis.values;
  const { from, to, steps, scale } = axis;
  return Array.from({ length: steps }, (_, i) => {
    const t = i / (steps - 1);
    const raw = scale === 'log' ? from * Math.pow(to / from, t) : from + (to - from) * t;
    // The ends exactly as given, whatever the rounding of pow.
    const value = i === 0 ? from : i === steps - 1 ? to : raw;
    return Number(value.toPrecision(GENERATED_SIGNIFICANT_DIGITS));
  });
}

type Def = { type: string; [key: string]: unknown };
const defOf = (schema: unknown): Def => (schema as { _zod: { def: Def } })._zod.def;

/** The schemas a value at this node may have to satisfy, wrappers removed. */
function candidates(schema: unknown, depth = 0): unknown[] {
  if (depth > 16) return [];
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'default':
    case 'prefault':
    case 'nullable':
    case 'readonly':
      return candidates(def.innerType, depth + 1);
    case 'pipe':
      return candidates(def.in, depth + 1);
    case 'union':
      return (def.options as unknown[]).flatMap((option) => candidates(option, depth + 1));
    default:
      return [schema];
  }
}

/** True when `path` names a field of the scenario schema (array members by index). */
export function isScenarioPath(path: string): boolean {
  let nodes: unknown[] = [ScenarioSchema];
  for (const part of path.split('.')) {
    const next: unknown[] = [];
    for (const node of nodes.flatMap((n) => candidates(n))) {
      const def = defOf(node);
      if (def.type === 'object') {
        const shape = def.shape as Record<string, unknown>;
        if (Object.hasOwn(shape, part)) next.push(shape[part]);
      } else if (def.type === 'array' && /^\d+$/.test(part)) {
        next.push(def.element);
      } else if (def.type === 'record') {
        next.push(def.valueType);
      }
    }
    if (next.length === 0) return false;
    nodes = next;
  }
  return true;
}

function withField(base: unknown, path: string, value: AxisValue): unknown {
  const copy = structuredClone(base) as Record<string, unknown>;
  const parts = path.split('.');
  let node: Record<string, unknown> = copy;
  for (const part of parts.slice(0, -1)) {
    const inner = node[part];
    if (inner === null || typeof inner !== 'object') node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]!] = value;
  return copy;
}

function issueText(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`).join('; ');
}

/**
 * The points of a sweep over `base` (the scenario as the client wrote it). `maxPoints` bounds
 * the product of the axes' lengths, checked before anything is built.
 */
export function sweepPlan(base: unknown, axes: readonly SweepAxis[], maxPoints: number): SweepPlan {
  const issues: FieldIssue[] = [];
  axes.forEach((axis, a) => {
    if (!isScenarioPath(axis.path)) issues.push({ path: `axes.${a}.path`, message: `axis ${a}: ${axis.path} is not a scenario field` });
    else if (axis.path.startsWith('provenance')) issues.push({ path: `axes.${a}.path`, message: `axis ${a}: provenance does not change a simulation` });
  });
  const seen = new Set<string>();
  axes.forEach((axis, a) => {
    if (seen.has(axis.path)) issues.push({ path: `axes.${a}.path`, message: `axis ${a}: ${axis.path} is already set by an earlier axis` });
    seen.add(axis.path);
  });
  if (issues.length > 0) return { ok: false, code: 'VALIDATION_FAILED', issues };

  const lists = axes.map(axisValues);
  const count = lists.reduce((product, list) => product * list.length, 1);
  if (count > maxPoints) {
    return {
      ok: false,
      code: 'SWEEP_TOO_LARGE',
      issues: [{ path: 'axes', message: `the axes make ${count} points (${lists.map((l) => l.length).join(' × ')}); at most ${maxPoints} (MAX_SWEEP_POINTS)` }],
    };
  }

  // Generated values go to whole numbers when the field takes only those; decided once per axis value.
  const applied = lists.map((list, a) =>
    list.map((value) => {
      const axis = axes[a]!;
      if ('values' in axis || typeof value !== 'number' || Number.isInteger(value)) return value;
      const exact = ScenarioSchema.safeParse(withField(base, axis.path, value));
      const rounded = Math.round(value);
      return !exact.success && ScenarioSchema.safeParse(withField(base, axis.path, rounded)).success ? rounded : value;
    }),
  );

  const points: SweepPoint[] = [];
  for (let index = 0; index < count; index++) {
    // Mixed radix, the last axis fastest.
    let rest = index;
    const picks = new Array<number>(axes.length);
    for (let a = axes.length - 1; a >= 0; a--) {
      picks[a] = rest % applied[a]!.length;
      rest = Math.floor(rest / applied[a]!.length);
    }
    let input: unknown = base;
    const values: Record<string, AxisValue> = {};
    axes.forEach((axis, a) => {
      const value = applied[a]![picks[a]!]!;
      values[axis.path] = value;
      input = withField(input, axis.path, value);
    });
    const parsed = ScenarioSchema.safeParse(input);
    if (!parsed.success) {
      const where = axes.map((axis, a) => `${axis.path} = ${JSON.stringify(values[axis.path])} (axis ${a}, value ${picks[a]})`).join(', ');
      // Named after the value of the last axis whose field the schema complains about, else the last axis.
      const blamed = [...axes.keys()].reverse().find((a) => parsed.error.issues.some((i) => i.path.map(String).join('.').startsWith(axes[a]!.path))) ?? axes.length - 1;
      const valuePath = 'values' in axes[blamed]! ? `axes.${blamed}.values.${picks[blamed]}` : `axes.${blamed}`;
      issues.push({ path: valuePath, message: `point ${index} (${where}): ${issueText(parsed.error)}` });
      if (issues.length >= 20) break;
      continue;
    }
    points.push({ values, scenario: parsed.data });
  }
  if (issues.length > 0) return { ok: false, code: 'VALIDATION_FAILED', issues };
  return { ok: true, axes: axes.map((axis, a) => ({ path: axis.path, values: applied[a]! })), points };
}
