import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { describe, expect, it, vi } from 'vitest';
import { PLATFORM_PRESETS } from '../../src/engine/platforms.js';
import { createMetricsRegistry, createEngineRunHistogram } from '../../src/http/metrics.js';
import { renderOpenApiDocument } from '../../src/http/openapi-cli.js';
import { API_ROUTES, OPERATION_ROUTES } from '../../src/http/routes/index.js';
import { PresetsSchema } from '../../src/schemas/http.js';
import { ScenarioSchema } from '../../src/schemas/scenario.js';
import { smallScenario, TEST_CONFIG, testApp } from '../support/http-app.js';

const root = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

describe('probes', () => {
  it('/livez answers without asking the service', async () => {
    const { app, service } = testApp();
    const ready = vi.spyOn(service, 'ready');
    await request(app).get('/livez').expect(200, { status: 'ok' });
    expect(ready).not.toHaveBeenCalled();
  });

  it('/readyz follows the service and the drain flag', async () => {
    let draining = false;
    const { app, service } = testApp({ health: { draining: () => draining } });
    await request(app).get('/readyz').expect(200, { status: 'ready' });

    service.isReady = false;
    const notReady = await request(app).get('/readyz').expect(503);
    expect(notReady.body.code).toBe('NOT_READY');
    expect(notReady.headers['content-type']).toMatch(/^application\/problem\+json/);

    service.isReady = true;
    vi.spyOn(service, 'ready').mockRejectedValueOnce(new Error('Connection is closed.'));
    expect((await request(app).get('/readyz').expect(503)).body.code).toBe('NOT_READY');

    draining = true;
    const drain = await request(app).get('/readyz').expect(503);
    expect(drain.body.code).toBe('DRAINING');
    expect(drain.headers.connection).toBe('close');
    await request(app).get('/livez').expect(200);
  });
});

describe('/metrics', () => {
  it('exposes the HTTP histogram by route pattern, queue depth and engine run time', async () => {
    const registry = createMetricsRegistry();
    createEngineRunHistogram(registry).observe({ mode: 'expected', outcome: 'completed' }, 0.12);
    const { app } = testApp({ registry, service: { autoRun: false } });
    const { body } = await request(app).post('/v1/simulations').send(smallScenario()).expect(202);
    await request(app).get(`/v1/simulations/${body.id}`).expect(200);
    await request(app).get('/v1/nowhere').expect(404);
    const res = await request(app).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.text).toContain('# TYPE http_request_duration_seconds histogram');
    expect(res.text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/v1\/simulations\/:id",status_code="200"\} 1/);
    expect(res.text).toMatch(/http_request_duration_seconds_count\{method="POST",route="\/v1\/simulations",status_code="202"\} 1/);
    expect(res.text).toMatch(/route="\(unmatched\)",status_code="404"/);
    expect(res.text).not.toContain(body.id);
    expect(res.text).toMatch(/forkcast_queue_jobs\{state="waiting"\} 1/);
    expect(res.text).toMatch(/forkcast_engine_run_seconds_count\{mode="expected",outcome="completed"\} 1/);
    expect(res.text).toContain('process_cpu_seconds_total');
  });

  it('still answers when the service cannot count', async () => {
    const { app, service } = testApp();
    vi.spyOn(service, 'counts').mockRejectedValue(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }));
    const res = await request(app).get('/metrics').expect(200);
    expect(res.text).not.toMatch(/forkcast_queue_jobs\{/);
  });
});

describe('OpenAPI and /docs', () => {
  it('serves the committed openapi/openapi.json, and it is what the schemas generate', async () => {
    const { app } = testApp({ config: { bodyLimitBytes: 1024 * 1024, maxWaitSec: 60, rateLimitPerMin: 600, maxPoints: 100_000 } });
    const res = await request(app).get('/openapi.json').expect(200);
    const committed = readFileSync(join(root, 'openapi/openapi.json'), 'utf8');
    expect(res.body).toEqual(JSON.parse(committed));
    expect(renderOpenApiDocument()).toBe(committed);
  });

  it('is a valid OpenAPI 3.1 document with an operationId, summary, tags and example per operation', async () => {
    const { app } = testApp();
    const doc = (await request(app).get('/openapi.json').expect(200)).body;
    expect(doc.openapi).toBe('3.1.0');
    for (const [path, item] of Object.entries<Record<string, Record<string, unknown>>>(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const where = `${method} ${path}`;
        expect(op.operationId, where).toMatch(/^[a-z][A-Za-z]+$/);
        expect(op.summary, where).toBeTruthy();
        expect(op.tags, where).toHaveLength(1);
        const responses = Object.values(op.responses as Record<string, { content?: Record<string, { example?: unknown; examples?: Record<string, { value: unknown }> }> }>);
        // One example, or named ones where a status has several problems (never both: OpenAPI forbids it).
        for (const response of responses) {
          for (const media of Object.values(response.content ?? {})) {
            const named = Object.values(media.examples ?? {});
            expect(media.example === undefined ? named.length > 0 && named.every((e) => e.value !== undefined) : named.length === 0, where).toBe(true);
          }
        }
      }
    }
    const post = doc.paths['/v1/simulations'].post;
    expect(ScenarioSchema.safeParse(post.requestBody.content['application/json'].example).success).toBe(true);

    const dir = mkdtempSync(join(tmpdir(), 'forkcast-openapi-'));
    const file = join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(doc));
    const lint = await run(join(root, 'node_modules/.bin/redocly'), ['lint', file, '--format=json'], {
      cwd: dir,
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    }).catch((err: { stdout: string }) => err);
    const problems = (JSON.parse(lint.stdout).problems as Array<{ severity: string; ruleId: string; message: string }>).filter((p) => p.severity === 'error');
    expect(problems).toEqual([]);
  });

  it('states the configured limits', async () => {
    const { app } = testApp({ config: { bodyLimitBytes: 4096, maxWaitSec: 7, maxPoints: 500, rateLimitPerMin: 42 } });
    const doc = (await request(app).get('/openapi.json').expect(200)).body;
    const params = (path: string, method: string) =>
      Object.fromEntries((doc.paths[path][method].parameters as Array<{ name: string; schema: unknown }>).map((p) => [p.name, p.schema]));
    expect(params('/v1/simulations', 'post').wait).toMatchObject({ minimum: 0, maximum: 7 });
    expect(params('/v1/simulations/{id}/result', 'get').maxPoints).toMatchObject({ minimum: 3, maximum: 500 });
    expect(params('/v1/simulations', 'get').limit).toMatchObject({ minimum: 1, maximum: 100 });
    expect(doc.info.description).toContain('4096 bytes');
    expect(doc.info.description).toContain('42 requests per minute');
  });

  it('the example id in the document is the example scenario’s, so /docs examples work after the example POST', async () => {
    const { app } = testApp();
    const doc = (await request(app).get('/openapi.json').expect(200)).body;
    const example = doc.paths['/v1/simulations'].post.requestBody.content['application/json'].example;
    const submitted = await request(app).post('/v1/simulations?wait=10').send(example).expect(200);
    const idParam = doc.paths['/v1/simulations/{id}'].get.parameters.find((p: { name: string }) => p.name === 'id');
    expect(idParam.schema.example).toBe(submitted.body.id);
    await request(app).get(`/v1/simulations/${idParam.schema.example}/result?maxPoints=200`).expect(200);
  });

  it('/docs serves the Swagger UI page, and the CSP does not upgrade its requests', async () => {
    const { app } = testApp();
    const res = await request(app).get('/docs/').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('swagger-ui');
    expect(res.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    await request(app).get('/docs/swagger-ui-init.js').expect(200).expect(/openapi/);
    const bare = await request(app).get('/docs');
    expect([200, 301]).toContain(bare.status);
  });
});

describe('declared operations', () => {
  const declared = [...API_ROUTES, ...OPERATION_ROUTES].flatMap((group) => group(TEST_CONFIG));

  it('each appears exactly once in the document, under its method and path', async () => {
    const { app } = testApp();
    const doc = (await request(app).get('/openapi.json').expect(200)).body;
    const documented = Object.entries<Record<string, { operationId: string }>>(doc.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => `${method} ${path} ${op.operationId}`),
    );
    expect(documented.sort()).toEqual(declared.map((op) => `${op.method} ${op.path} ${op.operationId}`).sort());
    expect(new Set(declared.map((op) => op.operationId)).size).toBe(declared.length);
    expect(documented).toHaveLength(27);
  });

  it('each declared path answers 405 with Allow for every method it does not declare', async () => {
    const { app } = testApp();
    const paths = [...new Set(declared.map((op) => op.path))];
    for (const path of paths) {
      const url = path.replace('{id}', 'sim-0000000000000000');
      const allowed = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].filter((method) => declared.some((op) => op.path === path && op.method.toUpperCase() === method));
      for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
        if (allowed.includes(method.toUpperCase())) continue;
        const res = await request(app)[method](url);
        expect(res.status, `${method} ${url}`).toBe(405);
        expect(res.headers.allow, `${method} ${url}`).toBe(allowed.join(', '));
      }
    }
  });
});

describe('/v1/presets', () => {
  it('lists the platform presets and the valid example files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'forkcast-examples-'));
    writeFileSync(join(dir, 'good.json'), JSON.stringify(smallScenario()));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ dataset: {} }));
    writeFileSync(join(dir, 'broken.json'), '{');
    writeFileSync(join(dir, 'notes.txt'), 'ignored');
    const { app } = testApp({ examplesDir: dir });
    const res = await request(app).get('/v1/presets').expect(200);
    const presets = PresetsSchema.parse(res.body);
    expect(presets.platforms.map((p) => p.id)).toEqual(PLATFORM_PRESETS.map((p) => p.id));
    expect(res.body.examples).toEqual([{ id: 'good', scenario: smallScenario() }]);
  });

  it('tolerates a missing examples folder, and ships the repository’s examples by default', async () => {
    const missing = testApp({ examplesDir: join(tmpdir(), 'forkcast-no-such-dir') });
    expect((await request(missing.app).get('/v1/presets').expect(200)).body.examples).toEqual([]);
    const shipped = testApp();
    const { examples } = (await request(shipped.app).get('/v1/presets').expect(200)).body;
    expect(examples.length).toBeGreaterThan(0);
    for (const example of examples) expect(ScenarioSchema.safeParse(example.scenario).success, example.id).toBe(true);
  });
});

describe('request ids and CORS', () => {
  it('echoes a sane X-Request-Id, replaces an unsafe one, and makes one up otherwise', async () => {
    const { app } = testApp();
    expect((await request(app).get('/livez').set('X-Request-Id', 'abc-123')).headers['x-request-id']).toBe('abc-123');
    const unsafe = await request(app).get('/livez').set('X-Request-Id', 'a b"<script>');
    expect(unsafe.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const none = await request(app).get('/v1/simulations/sim-0000000000000000').expect(404);
    expect(none.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('logs each request with its id', async () => {
    const lines: string[] = [];
    const { pino } = await import('pino');
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    const { app } = testApp({ logger });
    await request(app).get('/livez').set('X-Request-Id', 'trace-me-1').expect(200);
    const entry = lines.map((l) => JSON.parse(l)).find((l) => l.req?.id === 'trace-me-1');
    expect(entry).toMatchObject({ msg: 'request completed', res: { statusCode: 200 } });
  });

  it('exposes Location, Retry-After, RateLimit and X-Request-Id to browsers', async () => {
    const { app } = testApp({ service: { autoRun: false } });
    const res = await request(app).post('/v1/simulations').set('Origin', 'http://example.test').send(smallScenario()).expect(202);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    const exposed = res.headers['access-control-expose-headers']!.split(',');
    for (const header of ['Location', 'Retry-After', 'RateLimit', 'RateLimit-Policy', 'X-Request-Id']) expect(exposed).toContain(header);
    const preflight = await request(app)
      .options('/v1/simulations')
      .set('Origin', 'http://example.test')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'content-type,idempotency-key');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-headers']).toContain('idempotency-key');
  });
});
