import { describe, expect, it } from 'vitest';
import { simulate } from '../engine/simulate.js';
import type { EngineResult } from '../schemas/result.js';
import { ScenarioSchema, type ScenarioInput } from '../schemas/scenario.js';
import { CHART_LAYERS, CHART_PLOT, niceCeil, PART_NAMES, simulationChart, wrap } from './chart-spec.js';
import { humanBytes, humanDuration } from './human-units.js';
import { renderSvg, svgToPng } from './render.js';

const GIB = 1024 ** 3;

function run(input: ScenarioInput): EngineResult {
  return simulate(ScenarioSchema.parse(input));
}

const base: ScenarioInput = {
  name: 'cache <script>alert("x")</script> & co',
  dataset: { usedMemoryBytes: '256MiB', valueBytes: 100 },
  workload: { writesPerSec: 20000 },
  snapshot: { durationSec: 20 },
  host: { memoryBytes: '1GiB' },
};

/** The markup of the groups whose class names a layer's marks (a grouped mark has one per group). */
function layerMarkup(svg: string, layer: string): string | null {
  const groups: string[] = [];
  for (let start = svg.indexOf(`${layer}_marks"`); start >= 0; start = svg.indexOf(`${layer}_marks"`, start + 1)) {
    groups.push(svg.slice(start, svg.indexOf('</g>', start)));
  }
  return groups.length === 0 ? null : groups.join('\n');
}

/** Every path's points, in drawing order: "M x,y L x,y …". */
function paths(markup: string): Array<Array<[number, number]>> {
  return [...markup.matchAll(/ d="([^"]*)"/g)].map(([, d]) =>
    [...d!.matchAll(/[ML](-?[\d.]+(?:e-?\d+)?),(-?[\d.]+(?:e-?\d+)?)/g)].map(([, x, y]) => [Number(x), Number(y)] as [number, number]),
  );
}

function translations(markup: string): Array<[number, number]> {
  return [...markup.matchAll(/<line[^>]*transform="translate\((-?[\d.]+),(-?[\d.]+)\)"/g)].map(([, x, y]) => [Number(x), Number(y)]);
}

const pixelOf = (gib: number, yMaxGiB: number) => CHART_PLOT.heightPx * (1 - gib / yMaxGiB);

describe('simulationChart rendered to SVG', () => {
  it('draws host memory and parent RSS through every sample, and the stacked parts over the same span', async () => {
    const result = run(base);
    const { spec, layout } = simulationChart(result);
    const svg = await renderSvg(spec);
    const n = result.series.tSec.length;
    expect(n).toBeGreaterThan(20);
    expect(layout.points).toBe(n);

    const host = paths(layerMarkup(svg, CHART_LAYERS.hostMemory)!);
    expect(host).toHaveLength(1);
    expect(host[0]).toHaveLength(n);
    // The line's top is the peak of host memory, at its pixel on the y scale.
    const topPx = Math.min(...host[0]!.map(([, y]) => y));
    expect(topPx).toBeCloseTo(pixelOf(Math.max(...result.series.hostMemoryBytes) / GIB, layout.yMaxGiB), 0);
    // It spans the x axis: first sample at 0, the last at the plot's right edge.
    expect(host[0]![0]![0]).toBe(0);
    expect(host[0]!.at(-1)![0]).toBeCloseTo(CHART_PLOT.widthPx, 0);

    expect(paths(layerMarkup(svg, CHART_LAYERS.parentRss)!)[0]).toHaveLength(n);

    // One area per part (parent, child, reserve under a limit), each its top forward and its base back.
    expect(layout.parts).toEqual([PART_NAMES.parent, PART_NAMES.child, PART_NAMES.reserve]);
    const areas = paths(layerMarkup(svg, CHART_LAYERS.memoryParts)!);
    expect(areas).toHaveLength(3);
    for (const area of areas) expect(area).toHaveLength(2 * n);
  });

  it('puts the limit and the margin at their heights on the y scale, and says what they are', async () => {
    const result = run(base);
    const { spec, layout } = simulationChart(result);
    const svg = await renderSvg(spec);
    expect(layout.limitGiB).toBe(1);
    expect(layout.marginGiB).toBeCloseTo(0.9, 12);
    // The y domain reaches the taller of the peak and the limit, with room for the labels.
    expect(layout.yMaxGiB).toBeGreaterThanOrEqual(Math.max(result.summary.peakHostMemoryBytes / GIB, 1) * 1.08);

    const [limit] = translations(layerMarkup(svg, CHART_LAYERS.limit)!);
    expect(limit![1]).toBeCloseTo(pixelOf(1, layout.yMaxGiB), 0);
    const [margin] = translations(layerMarkup(svg, CHART_LAYERS.margin)!);
    expect(margin![1]).toBeCloseTo(pixelOf(0.9, layout.yMaxGiB), 0);
    expect(margin![1]).toBeGreaterThan(limit![1]);

    expect(layerMarkup(svg, CHART_LAYERS.limitLabels)).toContain(`host limit ${humanBytes(GIB)}`);
    expect(layerMarkup(svg, CHART_LAYERS.marginLabels)).toContain('10% margin below the limit');
  });

  it('marks the fork with its pause and the child’s lifetime as a band from fork to exit', async () => {
    const result = run(base);
    const { spec, layout } = simulationChart(result);
    const svg = await renderSvg(spec);
    const child = result.summary.children[0]!;
    expect(layerMarkup(svg, CHART_LAYERS.forkLabels)).toContain(`fork: ${humanDuration(child.forkUsec / 1e6)} pause`);
    const band = layerMarkup(svg, CHART_LAYERS.childLifetimes)!;
    const [, width] = band.match(/d="M[\d.]+,[\d.]+h([\d.]+)v/)!;
    expect(Number(width)).toBeCloseTo(((child.endSec - child.startSec) / layout.xMaxSec) * CHART_PLOT.widthPx, 0);
  });

  it('titles the axes in seconds and GiB, and escapes the scenario’s name', async () => {
    const svg = await renderSvg(simulationChart(run(base)).spec);
    const titles = [...svg.matchAll(/role-axis-title[^>]*>(?:<[^>]+>)*?<text[^>]*>([^<]*)<\/text>/g)].map(([, t]) => t);
    expect(titles).toEqual(['seconds since fork()', 'GiB']);
    expect(svg).not.toContain('<script');
    expect(svg).toContain('&lt;script&gt;');
  });

  it('leaves out the limit without host.memoryBytes, and stacks the replication buffer and draws the AOF buffer where there are any', async () => {
    const noLimit = simulationChart(run({ ...base, host: {} }));
    expect(noLimit.layout.limitGiB).toBeNull();
    expect(noLimit.layout.parts).toEqual([PART_NAMES.parent, PART_NAMES.child]);
    const svg = await renderSvg(noLimit.spec);
    expect(layerMarkup(svg, CHART_LAYERS.limit)).toBeNull();
    expect(svg).toContain('no host limit given');

    const sync = simulationChart(run({ ...base, snapshot: { trigger: 'full-sync', durationSec: 20 } }));
    expect(sync.layout.parts).toContain(PART_NAMES.replicationBuffer);
    const aof = run({ ...base, redis: { version: '6.2' }, snapshot: { trigger: 'aof-rewrite', durationSec: 20 } });
    expect(Math.max(...aof.series.aofRewriteBufferBytes)).toBeGreaterThan(0);
    const aofSvg = await renderSvg(simulationChart(aof).spec);
    expect(paths(layerMarkup(aofSvg, CHART_LAYERS.aofRewriteBuffer)!)[0]).toHaveLength(aof.series.tSec.length);
  });

  it('rasterises to a PNG as wide as the SVG', async () => {
    const svg = await renderSvg(simulationChart(run(base)).spec);
    const png = svgToPng(svg);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const svgWidth = Number(svg.match(/width="(\d+)"/)![1]);
    expect(png.readUInt32BE(16)).toBe(svgWidth);
    expect(svgWidth).toBeLessThanOrEqual(800);
  });
});

describe('chart helpers', () => {
  it('niceCeil rounds up to 1, 2, 2.5 or 5 × 10^k', () => {
    expect([0.9, 1, 1.01, 2.2, 3, 6.5, 33, 48, 1234].map(niceCeil)).toEqual([1, 1, 2, 2.5, 5, 10, 50, 50, 2000]);
  });

  it('wrap breaks at spaces within the width, a long word on a line of its own', () => {
    expect(wrap('a bb ccc dddd', 6)).toEqual(['a bb', 'ccc', 'dddd']);
    expect(wrap('abcdefghij k', 4)).toEqual(['abcdefghij', 'k']);
    expect(wrap('', 4)).toEqual(['']);
  });
});
