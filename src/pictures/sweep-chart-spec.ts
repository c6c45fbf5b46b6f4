// The picture of a sweep as a Vega-Lite spec: the swept field along x against each point's peak
// host memory and peak copy-on-write, the host limit, and a plan's answer when there is one.
// A second axis becomes one line per value. Each point is coloured by its verdict. Pure: rows in,
// a spec out.
import type { TopLevelSpec } from 'vega-lite';
import { parseByteSize } from '../schemas/units.js';
import { niceCeil, wrap } from './chart-spec.js';
import { presentationOf, type PictureSummary } from './presentation.js';

const GIB = 1024 ** 3;

export const SWEEP_PLOT = { widthPx: 640, heightPx: 320 } as const;

export const SWEEP_LAYERS = {
  lines: 'sweep_lines',
  points: 'sweep_points',
  limit: 'sweep_limit',
  answer: 'sweep_answer',
  answerLabel: 'sweep_answer_label',
} as const;

export const SWEEP_MEASURES = { host: 'peak host memory', cow: 'peak copy-on-write' } as const;

const LEVEL_COLORS = { ok: '#2e7d32', tight: '#f9a825', oom: '#c62828', unknown: '#607d8b' } as const;

/** One point of a sweep: the axis values it set, and its summary (null when it failed). */
export interface SweepChartRow {
  values: Record<string, unknown>;
  summary: PictureSummary | null;
}

export interface SweepChartInput {
  /** The axes in order; the first is drawn along x. */
  axes: ReadonlyArray<{ path: string }>;
  rows: readonly SweepChartRow[];
  /** A plan's answer on the first axis, marked with a rule. */
  answer?: { value: unknown; label: string };
  title?: string;
}

export interface SweepChartLayout {
  xKind: 'number' | 'bytes' | 'category';
  yMaxGiB: number;
  /** The limit when every point has the same one. */
  limitGiB: number | null;
  widthPx: number;
  heightPx: number;
  /** Points drawn per measure (failed points are left out). */
  points: number;
}

type XKind = SweepChartLayout['xKind'];

function xKindOf(values: readonly unknown[]): XKind {
  if (values.every((v) => typeof v === 'number')) return 'number';
  if (values.every((v) => typeof v === 'string' && parseByteSize(v) !== undefined)) return 'bytes';
  return 'category';
}

function xOf(value: unknown, kind: XKind): number | string {
  if (kind === 'number') return value as number;
  if (kind === 'bytes') return parseByteSize(value as string)! / GIB;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

const label = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

function levelOf(summary: PictureSummary): keyof typeof LEVEL_COLORS {
  const verdict = presentationOf(summary).verdict;
  if (verdict) return verdict.level ?? 'unknown';
  if (summary.oom.atRisk === null) return 'unknown';
  return summary.oom.atRisk ? 'oom' : 'ok';
}

export function sweepChart({ axes, rows, answer, title }: SweepChartInput): { spec: TopLevelSpec; layout: SweepChartLayout } {
  const xPath = axes[0]?.path ?? 'point';
  const groupPath = axes[1]?.path;
  const completed = rows.filter((row): row is SweepChartRow & { summary: PictureSummary } => row.summary !== null);
  const xKind = xKindOf(completed.map((row) => row.values[xPath]));

  const data = completed.flatMap((row) => {
    const x = xOf(row.values[xPath], xKind);
    const group = groupPath === undefined ? '' : label(row.values[groupPath]);
    const level = levelOf(row.summary);
    return [
      { x, group, measure: SWEEP_MEASURES.host, gib: row.summary.peakHostMemoryBytes / GIB, level },
      { x, group, measure: SWEEP_MEASURES.cow, gib: row.summary.cowPeakBytes / GIB, level },
    ];
  });
  const limits = [...new Set(completed.map((row) => row.summary.oom.limitBytes))];
  const limitGiB = limits.length === 1 && limits[0] !== null ? limits[0]! / GIB : null;
  const yMaxGiB = niceCeil(Math.max(limitGiB ?? 0, ...data.map((d) => d.gib)) * 1.08);

  const x =
    xKind === 'category'
      ? { field: 'x', type: 'ordinal' as const, title: xPath, sort: null }
      : { field: 'x', type: 'quantitative' as const, title: xKind === 'bytes' ? `${xPath} (GiB)` : xPath, scale: { zero: false, nice: false } };
  const y = { field: 'gib', type: 'quantitative' as const, title: 'GiB', scale: { domain: [0, yMaxGiB], nice: false } };
  const lineColor = groupPath === undefined ? { field: 'measure', type: 'nominal' as const, title: null } : { field: 'group', type: 'nominal' as const, title: groupPath };

  const layer: NonNullable<Extract<TopLevelSpec, { layer: unknown }>['layer']> = [
    {
      name: SWEEP_LAYERS.lines,
      data: { values: data },
      mark: { type: 'line', strokeWidth: 2 },
      encoding: {
        x,
        y,
        color: { ...lineColor, legend: { orient: 'bottom', direction: 'vertical' } },
        strokeDash: { field: 'measure', type: 'nominal', title: null, scale: { domain: [SWEEP_MEASURES.host, SWEEP_MEASURES.cow], range: [[1, 0], [5, 3]] }, legend: { orient: 'bottom', direction: 'vertical' } },
        detail: [{ field: 'measure' }, { field: 'group' }],
      },
    },
    {
      name: SWEEP_LAYERS.points,
      data: { values: data.filter((d) => d.measure === SWEEP_MEASURES.host) },
      mark: { type: 'point', filled: true, size: 50 },
      encoding: {
        x,
        y,
        fill: {
          field: 'level',
          type: 'nominal',
          title: 'verdict',
          scale: { domain: Object.keys(LEVEL_COLORS), range: Object.values(LEVEL_COLORS) },
          legend: { orient: 'bottom', direction: 'vertical' },
        },
      },
    },
  ];
  if (limitGiB !== null) {
    layer.push({
      name: SWEEP_LAYERS.limit,
      data: { values: [{ gib: limitGiB }] },
      mark: { type: 'rule', color: LEVEL_COLORS.oom, strokeWidth: 2 },
      encoding: { y },
    });
  }
  if (answer !== undefined) {
    const ax = xOf(answer.value, xKind === 'category' ? 'category' : xKind);
    layer.push(
      {
        name: SWEEP_LAYERS.answer,
        data: { values: [{ x: ax }] },
        mark: { type: 'rule', color: '#1f5fbf', strokeWidth: 2, strokeDash: [6, 3] },
        encoding: { x },
      },
      {
        name: SWEEP_LAYERS.answerLabel,
        data: { values: [{ x: ax, label: answer.label }] },
        mark: { type: 'text', align: 'left', baseline: 'top', dx: 4, dy: 4, color: '#1f5fbf', fontSize: 11 },
        encoding: { x, y: { datum: yMaxGiB, type: 'quantitative' }, text: { field: 'label' } },
      },
    );
  }

  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: wrap(title ?? `peak memory across ${xPath}`, 60), anchor: 'start', fontSize: 13 },
    width: SWEEP_PLOT.widthPx,
    height: SWEEP_PLOT.heightPx,
    background: 'white',
    config: { font: 'DejaVu Sans, Verdana, sans-serif', view: { stroke: '#ddd' } },
    resolve: { scale: { color: 'independent' } },
    layer,
  };
  return { spec, layout: { xKind, yMaxGiB, limitGiB, widthPx: SWEEP_PLOT.widthPx, heightPx: SWEEP_PLOT.heightPx, points: completed.length } };
}
