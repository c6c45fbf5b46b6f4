import { readFileSync } from 'node:fs';
import { simulate } from './src/engine/simulate.js';
import { ScenarioSchema } from './src/schemas/scenario.js';
import { downsampleSeries } from './src/http/downsample.js';
import { simulationChart } from './src/pictures/chart-spec.js';
import { renderSvg } from './src/pictures/render.js';
const s = ScenarioSchema.parse(JSON.parse(readFileSync('examples/full-sync-buffer-limit-disk.json','utf8')));
const r = simulate(s as any);
const chart = simulationChart({ summary: r.summary, series: downsampleSeries(r.series, 400) });
const spec: any = chart.spec;
for (let i = 0; i < spec.layer.length; i++) {
  const sp = { ...spec, layer: spec.layer.filter((_: any, j: number) => j !== i) };
  const svg = await renderSvg(sp);
  console.log('without', spec.layer[i].name, svg.match(/width="(\d+)"/)![1]);
}
console.log('no title', (await renderSvg({ ...spec, title: undefined })).match(/width="(\d+)"/)![1]);
