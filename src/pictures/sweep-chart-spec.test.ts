import { describe, expect, it } from 'vitest';
import { simulate } from '../engine/simulate.js';
import { ScenarioSchema } from '../schemas/scenario.js';
import { renderSvg } from './render.js';
import { SWEEP_LAYERS, SWEEP_PLOT, sweepChart, type SweepChartRow } from './sweep-chart-spec.js';

const GIB = 1024 ** 3;
const RATES = [1000, 5000, 20000];

function rows(extra: Record<string, unknown>[] = [{}]): SweepChartRow[] {
  return extra.flatMap((more) =>
    RATES.map((writesPerSec) => ({
      values: { 'workload.writesPerSec': writesPerSec, ...more },
      summary: simulate(
        ScenarioSchema.parse({
          dataset: { usedMemoryBytes: '512MiB', valueBytes: 100 },
          workload: { writesPerSec },
          snapshot: { durationSec: 20 },
          host: { memoryBytes: '1GiB' },
          ...('kernel.thp' in more ? { kernel: { thp: more['kernel.thp'] }, redis: { disableThp: false } } : {}),
        }),
      ).summary,
    })),
  );
}

function group(svg: string, layer: string): string[] {
  const found: string[] = [];
  for (let at = svg.indexOf(`${layer}_marks"`); at >= 0; at = svg.indexOf(`${layer}_marks"`, at + 1)) found.push(svg.slice(at, svg.indexOf('</g>', at)));
  return found;
}

describe('sweepChart', () => {
  it('draws peak host memory and peak CoW through every point, a point per row, the limit at its height', async () => {
    const data = rows();
    const { spec, layout } = sweepChart({ axes: [{ path: 'workload.writesPerSec' }], rows: data });
    const svg = await renderSvg(spec);
    expect(layout).toMatchObject({ xKind: 'number', limitGiB: 1, points: 3 });
    const lines = group(svg, SWEEP_LAYERS.lines).join('').match(/ d="[^"]*"/g)!;
    expect(lines).toHaveLength(2);
    for (const d of lines) expect(d.match(/[ML]/g)).toHaveLength(3);
    // The host line's highest point is the largest peak, at its pixel.
    const ys = [...lines.join(' ').matchAll(/[ML][\d.]+,([\d.]+)/g)].map(([, y]) => Number(y));
    const top = Math.max(...data.map((row) => row.summary!.peakHostMemoryBytes)) / GIB;
    expect(Math.min(...ys)).toBeCloseTo(SWEEP_PLOT.heightPx * (1 - top / layout.yMaxGiB), 0);
    expect(group(svg, SWEEP_LAYERS.points).join('').match(/<path/g)).toHaveLength(3);
    const [, limitY] = group(svg, SWEEP_LAYERS.limit)[0]!.match(/translate\([\d.]+,([\d.]+)\)/)!;
    expect(Number(limitY)).toBeCloseTo(SWEEP_PLOT.heightPx * (1 - 1 / layout.yMaxGiB), 0);
  });

  it('draws one pair of lines per value of a second axis, leaves failed points out and marks the answer', async () => {
    const data = rows([{ 'kernel.thp': 'never' }, { 'kernel.thp': 'always' }]);
    data[0] = { ...data[0]!, summary: null };
    const { spec, layout } = sweepChart({ axes: [{ path: 'workload.writesPerSec' }, { path: 'kernel.thp' }], rows: data, answer: { value: 5000, label: 'plan: 5,000 writes/s' } });
    expect(layout.points).toBe(5);
    const svg = await renderSvg(spec);
    expect(group(svg, SWEEP_LAYERS.lines).join('').match(/ d="/g)).toHaveLength(4);
    const [, answerX] = group(svg, SWEEP_LAYERS.answer)[0]!.match(/translate\(([\d.]+),/)!;
    // x runs from the smallest to the largest rate (neither zero nor rounded).
    expect(Number(answerX)).toBeCloseTo((SWEEP_PLOT.widthPx * (5000 - 1000)) / (20000 - 1000), 0);
    expect(svg).toContain('plan: 5,000 writes/s');
  });

  it('reads size strings as GiB and anything else as categories in axis order', () => {
    const data = rows().map((row, i) => ({ ...row, values: { 'host.memoryBytes': ['1GiB', '512MiB', '2GiB'][i] } }));
    expect(sweepChart({ axes: [{ path: 'host.memoryBytes' }], rows: data }).layout.xKind).toBe('bytes');
    const named = rows().map((row, i) => ({ ...row, values: { 'kernel.platform': ['kvm', 'vmware', 'xen-pv'][i] } }));
    expect(sweepChart({ axes: [{ path: 'kernel.platform' }], rows: named }).layout.xKind).toBe('category');
  });
});
