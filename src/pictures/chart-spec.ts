// The picture of one simulation as a Vega-Lite spec: what the host holds over the fork event,
// stacked from the parent's memory up (replication buffer, the child's private copies, what the
// limit must also hold), the host-memory and parent-RSS lines over it, the children's lifetimes
// as bands, each fork as a rule with its pause, and the host limit with its margin. Pure: a result
// in, a spec out; the renderer turns it into SVG or PNG.
import type { TopLevelSpec } from 'vega-lite';
import type { Series } from '../schemas/result.js';
import { humanBytes, humanDuration } from './human-units.js';
import { peakText, presentationOf, type PictureSummary } from './presentation.js';

const GIB = 1024 ** 3;

/**
 * The plot area, px. With the y axis, its title and the legend beside it the SVG is about 800 px
 * wide: readable on a laptop screen and in a README without scaling.
 */
export const CHART_PLOT = { widthPx: 640, heightPx: 320 } as const;

/** Head room above the tallest thing drawn, so the limit's label stays inside the plot. */
const Y_HEADROOM = 1.08;

/** The layers' names: each becomes the SVG class `<name>_marks`, which the tests look up. */
export const CHART_LAYERS = {
  childLifetimes: 'child_lifetimes',
  memoryParts: 'memory_parts',
  hostMemory: 'host_memory',
  parentRss: 'parent_rss',
  aofRewriteBuffer: 'aof_rewrite_buffer',
  forks: 'forks',
  forkLabels: 'fork_labels',
  limit: 'host_limit',
  margin: 'host_margin',
  limitLabels: 'limit_labels',
  marginLabels: 'margin_labels',
} as const;

/** The stacked parts, bottom to top, and the lines, as the legend names them. */
export const PART_NAMES = {
  parent: 'parent RSS (dataset, inserts)',
  replicationBuffer: 'replication buffer',
  child: 'child private (copy-on-write)',
  reserve: 'reserve (host.reservedBytes)',
  hostMemory: 'host memory (parent + child)',
  parentRss: 'parent RSS',
  aofRewriteBuffer: 'AOF rewrite buffer (6.2)',
} as const;

const COLORS: Record<string, string> = {
  [PART_NAMES.parent]: '#9ecae1',
  [PART_NAMES.replicationBuffer]: '#fdae6b',
  [PART_NAMES.child]: '#e6550d',
  [PART_NAMES.reserve]: '#d9d9d9',
  [PART_NAMES.hostMemory]: '#08306b',
  [PART_NAMES.parentRss]: '#3182bd',
  [PART_NAMES.aofRewriteBuffer]: '#756bb1',
};

const LIMIT_COLOR = '#cb181d';
const MARGIN_COLOR = '#fd8d3c';

export interface ChartLayout {
  /** The y scale's domain is [0, yMaxGiB], linear over heightPx: pixel = heightPx × (1 − GiB / yMaxGiB). */
  yMaxGiB: number;
  xMaxSec: number;
  widthPx: number;
  heightPx: number;
  limitGiB: number | null;
  marginGiB: number | null;
  /** Samples drawn per line. */
  points: number;
  /** Stacked parts drawn, bottom to top. */
  parts: string[];
}

export interface SimulationChart {
  spec: TopLevelSpec;
  layout: ChartLayout;
}

/** The smallest of 1, 2, 2.5, 5 × 10^k at or above `value` (a tick-friendly axis end). */
export function niceCeil(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value * (1 - 1e-12)) return step * power;
  return 10 * power;
}

const gib = (bytes: number) => bytes / GIB;

/**
 * Characters per title line. Without a canvas vega estimates a text's width as 0.8 em a
 * character (vega-scenegraph's estimateWidth) and truncates past the limit: 60 × 0.8 × 13 px
 * stays inside the plot's 640 px.
 */
const TITLE_LINE_CHARS = 60;

/** Lines of at most `max` characters, broken at spaces: vega does not wrap titles itself. */
export function wrap(text: string, max: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line !== '' && line.length + 1 + word.length > max) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines;
}

export function simulationChart(result: { summary: PictureSummary; series: Series }): SimulationChart {
  const { series, summary } = result;
  const view = presentationOf(summary);
  const n = series.tSec.length;
  const hasReplication = series.replicationBufferBytes.some((v) => v > 0);
  const hasAof = series.aofRewriteBufferBytes.some((v) => v > 0);
  const limitBytes = summary.oom.limitBytes;
  const reserveBytes = limitBytes === null ? 0 : summary.oom.reservedBytes;

  const parts: string[] = [PART_NAMES.parent, ...(hasReplication ? [PART_NAMES.replicationBuffer] : []), PART_NAMES.child, ...(reserveBytes > 0 ? [PART_NAMES.reserve] : [])];
  const stacked: Array<{ t: number; part: string; order: number; gib: number }> = [];
  const lines: Array<{ t: number; line: string; gib: number }> = [];
  let top = 0;
  for (let i = 0; i < n; i++) {
    const t = series.tSec[i]!;
    const repl = series.replicationBufferBytes[i]!;
    const values: Record<string, number> = {
      [PART_NAMES.parent]: Math.max(0, series.parentRssBytes[i]! - repl),
      [PART_NAMES.replicationBuffer]: repl,
      [PART_NAMES.child]: series.childPrivateBytes[i]!,
      [PART_NAMES.reserve]: reserveBytes,
    };
    parts.forEach((part, order) => stacked.push({ t, part, order, gib: gib(values[part]!) }));
    lines.push({ t, line: PART_NAMES.hostMemory, gib: gib(series.hostMemoryBytes[i]!) });
    lines.push({ t, line: PART_NAMES.parentRss, gib: gib(series.parentRssBytes[i]!) });
    if (hasAof) lines.push({ t, line: PART_NAMES.aofRewriteBuffer, gib: gib(series.aofRewriteBufferBytes[i]!) });
    top = Math.max(top, series.hostMemoryBytes[i]! + reserveBytes);
  }

  const limitGiB = limitBytes === null ? null : gib(limitBytes);
  const marginGiB = limitBytes === null ? null : gib(limitBytes * (1 - view.marginPercent / 100));
  const yMaxGiB = niceCeil(Math.max(gib(top), limitGiB ?? 0) * Y_HEADROOM);
  const xMaxSec = n > 0 ? series.tSec[n - 1]! : 0;

  const children = summary.children.map((child, index) => ({
    start: child.startSec,
    end: child.endSec,
    label: `child ${index + 1}${child.killed ? ' (killed)' : ''}`,
  }));
  const forks = series.events
    .filter((event) => event.kind === 'fork')
    .map((event, index) => {
      const pause = summary.children[index]?.forkUsec;
      return { t: event.tSec, label: index === 0 && pause !== undefined ? `fork: ${humanDuration(pause / 1e6)} pause` : '' };
    });

  const x = { field: 't', type: 'quantitative' as const, title: 'seconds since fork()', scale: { domain: [0, xMaxSec || 1], nice: false } };
  const y = { type: 'quantitative' as const, title: 'GiB', scale: { domain: [0, yMaxGiB], nice: false, zero: true } };
  const colorDomain = [...parts, PART_NAMES.hostMemory, PART_NAMES.parentRss, ...(hasAof ? [PART_NAMES.aofRewriteBuffer] : [])];
  const color = {
    scale: { domain: colorDomain, range: colorDomain.map((name) => COLORS[name]!) },
    legend: { title: null, orient: 'bottom' as const, direction: 'vertical' as const, columns: 2, columnPadding: 24, symbolType: 'square', labelLimit: 330 },
  };

  const layer: NonNullable<Extract<TopLevelSpec, { layer: unknown }>['layer']> = [
    {
      name: CHART_LAYERS.childLifetimes,
      data: { values: children },
      mark: { type: 'rect', color: '#bdbdbd', opacity: 0.18 },
      encoding: { x: { field: 'start', type: 'quantitative' }, x2: { field: 'end' } },
    },
    {
      name: CHART_LAYERS.memoryParts,
      data: { values: stacked },
      mark: { type: 'area', opacity: 0.85, interpolate: 'linear' },
      encoding: {
        x,
        y: { ...y, field: 'gib', stack: 'zero' },
        color: { ...color, field: 'part', type: 'nominal' },
        order: { field: 'order', type: 'quantitative' },
      },
    },
    {
      name: CHART_LAYERS.hostMemory,
      data: { values: lines.filter((row) => row.line === PART_NAMES.hostMemory) },
      mark: { type: 'line', strokeWidth: 2 },
      encoding: { x, y: { ...y, field: 'gib' }, color: { ...color, field: 'line', type: 'nominal' } },
    },
    {
      name: CHART_LAYERS.parentRss,
      data: { values: lines.filter((row) => row.line === PART_NAMES.parentRss) },
      mark: { type: 'line', strokeWidth: 1, strokeDash: [4, 2] },
      encoding: { x, y: { ...y, field: 'gib' }, color: { ...color, field: 'line', type: 'nominal' } },
    },
    ...(hasAof
      ? [
          {
            name: CHART_LAYERS.aofRewriteBuffer,
            data: { values: lines.filter((row) => row.line === PART_NAMES.aofRewriteBuffer) },
            mark: { type: 'line' as const, strokeWidth: 1.5, strokeDash: [2, 2] },
            encoding: { x, y: { ...y, field: 'gib' }, color: { ...color, field: 'line', type: 'nominal' as const } },
          },
        ]
      : []),
    {
      name: CHART_LAYERS.forks,
      data: { values: forks },
      mark: { type: 'rule', color: '#252525', strokeWidth: 1 },
      encoding: { x: { field: 't', type: 'quantitative' } },
    },
    {
      name: CHART_LAYERS.forkLabels,
      data: { values: forks.filter((fork) => fork.label !== '') },
      mark: { type: 'text', align: 'left', baseline: 'top', dx: 4, dy: 4, fontSize: 11, color: '#252525' },
      encoding: { x: { field: 't', type: 'quantitative' }, y: { datum: yMaxGiB, type: 'quantitative' }, text: { field: 'label' } },
    },
  ];
  if (limitGiB !== null && marginGiB !== null) {
    layer.push(
      {
        name: CHART_LAYERS.limit,
        data: { values: [{ gib: limitGiB }] },
        mark: { type: 'rule', color: LIMIT_COLOR, strokeWidth: 2 },
        encoding: { y: { ...y, field: 'gib' } },
      },
      {
        name: CHART_LAYERS.margin,
        data: { values: [{ gib: marginGiB }] },
        mark: { type: 'rule', color: MARGIN_COLOR, strokeWidth: 1, strokeDash: [6, 3] },
        encoding: { y: { ...y, field: 'gib' } },
      },
      {
        name: CHART_LAYERS.limitLabels,
        data: { values: [{ gib: limitGiB, label: `host limit ${humanBytes(limitBytes!)}` }] },
        mark: { type: 'text', align: 'left', baseline: 'bottom', dx: 4, dy: -3, fontSize: 11, color: LIMIT_COLOR },
        encoding: { x: { datum: 0, type: 'quantitative' }, y: { ...y, field: 'gib' }, text: { field: 'label' } },
      },
      {
        name: CHART_LAYERS.marginLabels,
        data: { values: [{ gib: marginGiB, label: `${view.marginPercent}% margin below the limit` }] },
        mark: { type: 'text', align: 'left', baseline: 'top', dx: 4, dy: 3, fontSize: 11, color: MARGIN_COLOR },
        encoding: { x: { datum: 0, type: 'quantitative' }, y: { ...y, field: 'gib' }, text: { field: 'label' } },
      },
    );
  }

  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: `Memory over the fork event: ${peakText(summary)}`,
    title: {
      text: wrap(summary.scenario.name ?? 'forkcast simulation', TITLE_LINE_CHARS),
      subtitle: wrap(view.verdict?.text ?? peakText(summary), TITLE_LINE_CHARS),
      anchor: 'start',
      limit: CHART_PLOT.widthPx,
      fontSize: 13,
      subtitleFontSize: 12,
    },
    width: CHART_PLOT.widthPx,
    height: CHART_PLOT.heightPx,
    background: 'white',
    config: { font: 'DejaVu Sans, Verdana, sans-serif', view: { stroke: '#ddd' }, axis: { labelFontSize: 11, titleFontSize: 12 } },
    layer,
  };
  return {
    spec,
    layout: { yMaxGiB, xMaxSec, widthPx: CHART_PLOT.widthPx, heightPx: CHART_PLOT.heightPx, limitGiB, marginGiB, points: n, parts },
  };
}
