// The page at GET /, a report and /docs in Debian's chromium, as a person would use them.
// FORKCAST_SCREENSHOT_DIR=docs/screenshots writes the README's screenshots (and a chart.png) on the way.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHART_LAYERS } from '../../src/pictures/chart-spec.js';
import { launchBrowser, startServer, watch, type TestServer } from './support.js';

/**
 * Every wait in the browser is bounded by this. A simulation of this size takes well under a
 * second and the page a few; the bound is for a machine shared with other work (CI's two cores).
 */
const WAIT_MS = 45_000;
/** A test's own bound: its few waits in a row. */
const TEST_MS = 120_000;
const SCREENSHOT_DIR = process.env.FORKCAST_SCREENSHOT_DIR;

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
}, TEST_MS);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  return page;
}

async function screenshot(page: Page, name: string) {
  if (!SCREENSHOT_DIR) return;
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, name), fullPage: true });
}

/** Fills the page's fields for a small scenario and submits it; answers the simulation's id. */
async function forecast(page: Page, fields: Record<string, string>): Promise<string> {
  await page.goto(`${server.baseUrl}/`);
  await page.waitForSelector('body[data-ready="true"]');
  for (const [id, value] of Object.entries(fields)) {
    const tag = await page.$eval(`#${id}`, (el) => el.tagName);
    if (tag === 'SELECT') await page.selectOption(`#${id}`, value);
    else await page.fill(`#${id}`, value);
  }
  await page.click('#submit');
  await page.waitForSelector(`#chart svg .${CHART_LAYERS.hostMemory}_marks path`);
  const href = await page.getAttribute('#report-link', 'href');
  return href!.split('/')[3]!;
}

describe('GET / in a browser', { timeout: TEST_MS }, () => {
  it('submits a scenario, follows it and shows the verdict and the chart with its series', async () => {
    const page = await newPage();
    const seen = watch(page);
    const id = await forecast(page, {
      usedMemory: '2GiB',
      valueBytes: '100',
      writesPerSec: '20000',
      distribution: 'zipf',
      zipfExponent: '0.99',
      durationSec: '20',
      hostMemory: '3GiB',
    });
    expect(id).toMatch(/^sim-/);

    // What was sent is what the fields say.
    const sent = JSON.parse((await page.textContent('#preview'))!);
    expect(sent).toMatchObject({
      dataset: { usedMemoryBytes: '2GiB', valueBytes: 100 },
      workload: { writesPerSec: 20000, keyDistribution: { type: 'zipf', exponent: 0.99 } },
      snapshot: { durationSec: 20 },
      host: { memoryBytes: '3GiB' },
    });

    // The verdict names the limit; before a verdict exists, the peak text does.
    const verdict = (await page.textContent('#verdict'))!;
    expect(verdict).toMatch(/of 3 GiB/);
    const record = (await (await fetch(`${server.baseUrl}/v1/simulations/${id}`)).json()) as { summary: { oom: { atRisk: boolean }; verdict?: { level: string; text: string } } };
    const summary = record.summary;
    expect(await page.getAttribute('#verdict', 'class')).toBe(`verdict ${summary.verdict?.level ?? (summary.oom.atRisk ? 'oom' : 'ok')}`);
    if (summary.verdict) expect(verdict).toContain(summary.verdict.text);

    // The chart in the page is the API's: the host line through every sample drawn, the stacked parts, the limit.
    const hostPoints = await page.$eval(`#chart .${CHART_LAYERS.hostMemory}_marks path`, (path) => (path.getAttribute('d') ?? '').match(/[ML]/g)?.length ?? 0);
    expect(hostPoints).toBeGreaterThan(50);
    expect(await page.$$eval(`#chart .${CHART_LAYERS.memoryParts}_marks path`, (paths) => paths.length)).toBeGreaterThanOrEqual(2);
    expect(await page.$$eval(`#chart .${CHART_LAYERS.limit}_marks line`, (lines) => lines.length)).toBe(1);
    // The SVG is laid out at its size, not collapsed.
    const box = await page.$eval('#chart svg', (svg) => svg.getBoundingClientRect().width);
    expect(box).toBeGreaterThan(500);

    // Progress came over the event stream; nothing left the server.
    expect(seen.requests.some((url) => url.endsWith(`/v1/simulations/${id}/events`))).toBe(true);
    expect(seen.requests.filter((url) => !url.startsWith(server.baseUrl))).toEqual([]);
    expect(seen.errors).toEqual([]);
    await screenshot(page, 'web-page.png');
    if (SCREENSHOT_DIR) writeFileSync(join(SCREENSHOT_DIR, 'chart.png'), Buffer.from(await (await fetch(`${server.baseUrl}/v1/simulations/${id}/chart.png`)).arrayBuffer()));
    await page.context().close();
  });

  it('starts from an example as it is, and shows a bad field’s problem', async () => {
    const page = await newPage();
    const seen = watch(page);
    await page.goto(`${server.baseUrl}/`);
    await page.waitForSelector('body[data-ready="true"]');
    await page.selectOption('#example', 'session-store-zipf');
    const sent = JSON.parse((await page.textContent('#preview'))!);
    expect(sent.name).toMatch(/^session store/);
    expect(sent.host).toEqual({ memoryBytes: '6GiB' });

    await page.fill('#valueBytes', '0');
    await page.click('#submit');
    await page.waitForSelector('#problem:not([hidden])');
    const problem = (await page.textContent('#problem'))!;
    expect(problem).toContain('dataset.valueBytes');
    expect(seen.errors.filter((e) => !e.includes('422'))).toEqual([]);
    await page.context().close();
  });

  it('sends the API key entered as a Bearer token and keeps it for the next visit', async () => {
    const page = await newPage();
    const authorizations: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname.startsWith('/v1/')) authorizations.push(request.headers()['authorization'] ?? '');
    });
    await page.goto(`${server.baseUrl}/`);
    await page.waitForSelector('body[data-ready="true"]');
    await page.click('summary:has-text("API key")');
    await page.fill('#apiKey', 'fc-test-key');
    await page.dispatchEvent('#apiKey', 'change');
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.inputValue('#apiKey')).toBe('fc-test-key');
    expect(authorizations.at(-1)).toBe('Bearer fc-test-key');
    await page.context().close();
  });
});

describe('the report and /docs in a browser', { timeout: TEST_MS }, () => {
  it('renders a report with its verdict and chart, loading nothing, without console errors', async () => {
    const submitted = await fetch(`${server.baseUrl}/v1/simulations?wait=30`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'report <b>check</b>',
        dataset: { usedMemoryBytes: '4GiB', valueBytes: 1024 },
        workload: { writesPerSec: 30000 },
        snapshot: { durationSec: 30 },
        host: { memoryBytes: '6GiB' },
      }),
    });
    const { id } = (await submitted.json()) as { id: string };
    const page = await newPage();
    const seen = watch(page);
    await page.goto(`${server.baseUrl}/v1/simulations/${id}/report`);
    expect(await page.textContent('h1')).toBe('report <b>check</b>');
    expect(await page.textContent('#verdict')).toMatch(/of 6 GiB/);
    expect(await page.$$eval(`.chart svg .${CHART_LAYERS.hostMemory}_marks path`, (paths) => paths.length)).toBe(1);
    expect(await page.$$eval('table tbody tr', (rows) => rows.length)).toBeGreaterThan(10);
    expect(seen.requests).toEqual([`${server.baseUrl}/v1/simulations/${id}/report`]);
    expect(seen.errors).toEqual([]);
    await screenshot(page, 'report.png');
    await page.context().close();
  });

  it('renders /docs with the operations listed, without console errors', async () => {
    const page = await newPage();
    const seen = watch(page);
    await page.goto(`${server.baseUrl}/docs`);
    await page.waitForSelector('.swagger-ui .opblock');
    expect(await page.textContent('.swagger-ui .info .title')).toContain('forkcast');
    const paths = await page.$$eval('.opblock-summary-path', (els) => els.map((el) => el.textContent?.replace(/\u200b/g, '')));
    expect(paths).toContain('/v1/simulations/{id}/chart.svg');
    expect(paths).toContain('/v1/simulations/{id}/report');
    expect(seen.requests.filter((url) => !url.startsWith(server.baseUrl))).toEqual([]);
    expect(seen.errors).toEqual([]);
    await page.context().close();
  });
});
