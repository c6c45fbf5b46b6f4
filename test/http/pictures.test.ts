import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { CHART_LAYERS } from '../../src/pictures/chart-spec.js';
import { SWEEP_LAYERS } from '../../src/pictures/sweep-chart-spec.js';
import { humanBytes } from '../../src/pictures/human-units.js';
import { REPORT_CSP } from '../../src/pictures/report-html.js';
import { CHART_POINTS } from '../../src/http/routes/pictures.js';
import { smallScenario, testApp } from '../support/http-app.js';

const HOSTILE_NAME = '<img src=x onerror=alert(1)> "quoted" & <b>bold</b>';

async function completed(overrides = {}) {
  const { app, service } = testApp({ service: { autoRun: false } });
  const scenario = smallScenario({ name: HOSTILE_NAME, host: { memoryBytes: '256MiB' }, ...overrides });
  const { body } = await request(app).post('/v1/simulations').send(scenario).expect(202);
  service.run(body.id);
  return { app, service, id: body.id as string, result: (await service.result(body.id))! };
}

/** supertest hands binary bodies back as a Buffer only when asked to. */
const asBuffer = (res: request.Response, callback: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
};

async function svgOf(app: Parameters<typeof request>[0], id: string): Promise<string> {
  const res = await request(app).get(`/v1/simulations/${id}/chart.svg`).buffer(true).parse(asBuffer).expect(200);
  return (res.body as Buffer).toString('utf8');
}

describe('GET /v1/simulations/{id}/chart.svg and chart.png', () => {
  it('answers the chart as SVG with the series drawn, at most CHART_POINTS samples a line', async () => {
    const { app, id, result } = await completed();
    const res = await request(app).get(`/v1/simulations/${id}/chart.svg`).buffer(true).parse(asBuffer).expect(200);
    expect(res.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
    const svg = (res.body as Buffer).toString('utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    for (const layer of [CHART_LAYERS.memoryParts, CHART_LAYERS.hostMemory, CHART_LAYERS.parentRss, CHART_LAYERS.limit, CHART_LAYERS.forks]) {
      expect(svg).toContain(`${layer}_marks`);
    }
    const hostPath = svg.slice(svg.indexOf(`${CHART_LAYERS.hostMemory}_marks`)).match(/ d="([^"]*)"/)![1]!;
    const points = hostPath.match(/[ML]/g)!.length;
    expect(points).toBe(Math.min(CHART_POINTS, result.series.tSec.length));
    expect(svg).toContain(`host limit ${humanBytes(256 * 1024 ** 2)}`);
    expect(svg).not.toContain('<img');
  });

  it('thins a long series to CHART_POINTS', async () => {
    const { app, id, result } = await completed({ snapshot: { durationSec: 200 }, simulation: { sampleIntervalSec: 0.1 } });
    expect(result.series.tSec.length).toBeGreaterThan(CHART_POINTS);
    const svg = await svgOf(app, id);
    const hostPath = svg.slice(svg.indexOf(`${CHART_LAYERS.hostMemory}_marks`)).match(/ d="([^"]*)"/)![1]!;
    expect(hostPath.match(/[ML]/g)!.length).toBe(CHART_POINTS);
  });

  it('answers the same chart as PNG', async () => {
    const { app, id } = await completed();
    const svg = await svgOf(app, id);
    const res = await request(app).get(`/v1/simulations/${id}/chart.png`).buffer(true).parse(asBuffer).expect(200);
    expect(res.headers['content-type']).toBe('image/png');
    const png = res.body as Buffer;
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(Number(svg.match(/width="(\d+)"/)![1]));
    expect(png.length).toBeGreaterThan(10_000);
  });

  it('answers 409 before completion and 404 for an unknown id, as problem+json', async () => {
    const { app } = testApp({ service: { autoRun: false } });
    const { body } = await request(app).post('/v1/simulations').send(smallScenario()).expect(202);
    for (const path of ['chart.svg', 'chart.png', 'report']) {
      const pending = await request(app).get(`/v1/simulations/${body.id}/${path}`).expect(409);
      expect(pending.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(pending.body).toMatchObject({ code: 'SIMULATION_NOT_COMPLETED', simulationStatus: 'queued' });
      expect(pending.headers['retry-after']).toBe('1');
      await request(app).get(`/v1/simulations/sim-0000000000000000/${path}`).expect(404);
    }
  });
});

describe('GET /v1/simulations/{id}/report', () => {
  it('is one HTML page with the verdict, the scenario in words, the chart inline and the summary in human units', async () => {
    const { app, id, result } = await completed();
    const res = await request(app).get(`/v1/simulations/${id}/report`).expect(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toBe(REPORT_CSP);
    const html = res.text;
    const { verdict } = result.summary;
    expect(verdict.text).toMatch(/of 256 MiB/);
    expect(html).toContain(`<div class="verdict ${verdict.level}" id="verdict">`);
    expect(html).toContain(verdict.text);
    expect(html).toContain('5,000 writes per second');
    expect(html).toMatch(/<div class="chart"><svg[^>]*>[\s\S]*host_memory_marks[\s\S]*<\/svg><\/div>/);
    expect(html).toContain(`<td>current_cow_peak</td><td>peak copy-on-write (child Private_Dirty)</td><td>${humanBytes(result.summary.cowPeakBytes)}`);
    for (const href of [`/v1/simulations/${id}/result`, `/v1/simulations/${id}/result?format=csv`, `/v1/simulations/${id}/chart.png`]) {
      expect(html).toContain(`href="${href}"`);
    }
  });

  it('loads nothing from anywhere and escapes the scenario’s name everywhere', async () => {
    const { app, id } = await completed();
    const html = (await request(app).get(`/v1/simulations/${id}/report`).expect(200)).text;
    // No element that loads, no attribute that does (attribute values blanked: escaped text may say "src="), no CSS that does, no link off the server.
    const markup = html.replace(/"[^"]*"/g, '""');
    expect(markup).not.toMatch(/<(script|link|img|iframe|object|embed|image|use)\b|<[a-z][^>]*\s(src|srcset|xlink:href)=|@import|url\(/i);
    expect(html).not.toMatch(/href="(https?:)?\/\//i);
    expect(html).toContain('<title>&lt;img src=x onerror=alert(1)&gt; &quot;quoted&quot; &amp; &lt;b&gt;bold&lt;/b&gt; — forkcast report</title>');
    expect(html).not.toContain('<b>bold</b>');
  });
});

describe('GET /v1/sweeps/{id}/chart.svg', () => {
  it('draws a finished sweep: a line pair per value of the second axis through its points, the limit; 409 before, 404 unknown', async () => {
    const { app, service } = testApp({ service: { autoRun: false } });
    const body = {
      base: smallScenario({ host: { memoryBytes: '256MiB' } }),
      axes: [
        { path: 'workload.writesPerSec', values: [1000, 5000, 20000] },
        { path: 'kernel.thp', values: ['never', 'always'] },
      ],
    };
    const { body: record } = await request(app).post('/v1/sweeps').send(body).expect(202);
    const pending = await request(app).get(`/v1/sweeps/${record.id}/chart.svg`).expect(409);
    expect(pending.body.code).toBe('SWEEP_NOT_FINISHED');
    for (const item of (await service.list(10)).items) service.run(item.id);
    const res = await request(app).get(`/v1/sweeps/${record.id}/chart.svg`).buffer(true).parse(asBuffer).expect(200);
    expect(res.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
    const svg = (res.body as Buffer).toString('utf8');
    // One group per line, each up to its first closing tag.
    const lines = svg.split(`${SWEEP_LAYERS.lines}_marks"`).slice(1).map((group) => group.slice(0, group.indexOf('</g>')).match(/ d="[^"]*"/)![0]);
    expect(lines).toHaveLength(4);
    for (const d of lines) expect(d.match(/[ML]/g)).toHaveLength(3);
    expect(svg).toContain(`${SWEEP_LAYERS.limit}_marks`);
    expect(svg).toContain('workload.writesPerSec');
    await request(app).get('/v1/sweeps/swp-0000000000000000/chart.svg').expect(404);
  });
});
