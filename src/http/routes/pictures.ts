// A completed simulation as pictures: the chart as SVG or PNG, and a self-contained HTML report
// with that chart inline. Rendering is CPU work of a few hundred ms, so the last few SVGs are
// kept: a result never changes once its simulation has completed.
import type { Response } from 'express';
import { isFinishedStatus } from '../../schemas/api.js';
import { StateConflictProblemSchema } from '../../schemas/http.js';
import { PlanningIdSchema } from '../../schemas/planning.js';
import { SweepIdSchema } from '../../schemas/sweep.js';
import { ServiceUnavailableError } from '../../service/errors.js';
import type { PlanningService } from '../../service/planning-service.js';
import { z } from '../../schemas/zod.js';
import { simulationChart } from '../../pictures/chart-spec.js';
import { sweepChart } from '../../pictures/sweep-chart-spec.js';
import { renderSvg, RendererUnavailableError, svgToPng } from '../../pictures/render.js';
import { REPORT_CSP, reportHtml } from '../../pictures/report-html.js';
import type { SimulationResult } from '../../schemas/result.js';
import type { HttpConfig, HttpTuning } from '../context.js';
import { downsampleSeries } from '../downsample.js';
import { RESULT_PATH, SIMULATION_PATH, simulationPath, SWEEP_PATH } from '../links.js';
import { commonProblemResponses, exampleBodies, idParams, problemResponse, response, RETRY_AFTER_HEADER_DOC } from '../openapi-parts.js';
import { operation, type Operation } from '../operation.js';
import { HttpProblem, stateConflict, sweepNotFound } from '../problem.js';
import type { SimulationService } from '../../service/simulation-service.js';
import { completedResult, completedResultResponses, notFoundById } from './shared.js';

export const CHART_SVG_PATH = `${SIMULATION_PATH}/chart.svg`;
export const CHART_PNG_PATH = `${SIMULATION_PATH}/chart.png`;
export const REPORT_PATH = `${SIMULATION_PATH}/report`;
export const SWEEP_CHART_SVG_PATH = `${SWEEP_PATH}/chart.svg`;

const withId = (template: string, id: string) => template.replace('{id}', id);

/** Samples drawn: the plot is 640 px wide, so 400 already puts a sample every 1.6 px. */
export const CHART_POINTS = 400;

/** SVGs kept in memory: enough for a page and a report open on the same few results. */
const SVG_CACHE_ENTRIES = 32;

/** Results are immutable once completed: a time-limited cache would only forget sooner. */
const IMMUTABLE_CACHE_CONTROL = 'private, max-age=3600';

function chartSvgCache() {
  const cache = new Map<string, string>();
  return async (id: string, result: SimulationResult): Promise<string> => {
    // The resolved scenario fixes the result (the engine is deterministic); the id alone may
    // be an Idempotency-Key's, reused once its first result has expired.
    const key = `${id}\n${JSON.stringify(result.summary.scenario)}`;
    const hit = cache.get(key);
    if (hit !== undefined) {
      cache.delete(key);
      cache.set(key, hit);
      return hit;
    }
    const { spec } = simulationChart({ summary: result.summary, series: downsampleSeries(result.series, CHART_POINTS) });
    const svg = await renderSvg(spec);
    cache.set(key, svg);
    if (cache.size > SVG_CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
    return svg;
  };
}

function rendererUnavailable(err: RendererUnavailableError): HttpProblem {
  return new HttpProblem({ status: 503, code: 'RENDERER_UNAVAILABLE', detail: err.message });
}

export function pictureOperations(config: HttpConfig): Operation[] {
  const example = exampleBodies();
  const chartSvg = chartSvgCache();
  const load = async (service: SimulationService, tuning: HttpTuning, id: string) => {
    const result = await completedResult(service, tuning, id);
    return { result, svg: await chartSvg(id, result) };
  };
  const refusals = (instance: string) => ({
    ...completedResultResponses(example.id, instance),
    ...commonProblemResponses(config.rateLimitPerMin, instance),
  });
  const sendImage = (res: Response, type: string, body: string | Buffer) => {
    res.set('Cache-Control', IMMUTABLE_CACHE_CONTROL).type(type).send(body);
  };

  const getSvg = operation({
    method: 'get',
    path: CHART_SVG_PATH,
    operationId: 'getSimulationChartSvg',
    summary: 'The simulation’s memory over time, as SVG',
    description:
      'Stacked from the bottom: parent RSS less its replication buffer, the replication buffer, the child’s private memory (its copy-on-write copies), and with a host limit the ' +
      'reserve the limit must also hold; the host-memory and parent-RSS lines over them, the AOF rewrite buffer (6.2) as a dotted line, each child’s lifetime as a band, ' +
      `each fork as a rule (the first labelled with its pause), the host limit and the host.marginPercent margin below it. GiB against seconds since fork(), about 700 px wide, ${CHART_POINTS} samples at most.`,
    tags: ['simulations'],
    request: { params: idParams() },
    notFound: notFoundById,
    responses: {
      200: response('The chart.', { mediaType: 'image/svg+xml', schema: { type: 'string' }, example: '<svg xmlns="http://www.w3.org/2000/svg" …>…</svg>' }, {}, { rateLimited: true }),
      ...refusals(withId(CHART_SVG_PATH, example.id)),
    },
    async handle({ service, tuning }, { params: { id } }, res) {
      const { svg } = await load(service, tuning, id);
      sendImage(res, 'image/svg+xml; charset=utf-8', svg);
    },
  });

  const getPng = operation({
    method: 'get',
    path: CHART_PNG_PATH,
    operationId: 'getSimulationChartPng',
    summary: 'The same chart as PNG',
    description: 'The SVG chart rasterised with resvg and the DejaVu Sans font; 503 RENDERER_UNAVAILABLE where that font file is missing.',
    tags: ['simulations'],
    request: { params: idParams() },
    notFound: notFoundById,
    responses: {
      200: { ...response('The chart.', undefined, {}, { rateLimited: true }), content: { 'image/png': { schema: { type: 'string', contentMediaType: 'image/png' }, example: '(PNG image data, about 700 × 480 px)' } } },
      ...refusals(withId(CHART_PNG_PATH, example.id)),
      503: problemResponse(
        new HttpProblem({ status: 503, code: 'RENDERER_UNAVAILABLE', detail: 'PNG rendering needs the font file /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf (Debian: fonts-dejavu-core)' }),
        withId(CHART_PNG_PATH, example.id),
        { description: 'No font to draw text with: the SVG chart still works.' },
      ),
    },
    async handle({ service, tuning }, { params: { id } }, res) {
      const { svg } = await load(service, tuning, id);
      let png: Buffer;
      try {
        png = svgToPng(svg);
      } catch (err) {
        if (err instanceof RendererUnavailableError) throw rendererUnavailable(err);
        throw err;
      }
      sendImage(res, 'image/png', png);
    },
  });

  const getReport = operation({
    method: 'get',
    path: REPORT_PATH,
    operationId: 'getSimulationReport',
    summary: 'A self-contained HTML report of the simulation',
    description:
      'The verdict, the scenario in plain words, the chart inline, the warnings and advice, the INFO-named summary in human units, and links to the JSON, CSV and chart. ' +
      'It loads nothing (no scripts, fonts or images by URL), so it can be saved as one file; its Content-Security-Policy allows its inline styles only.',
    tags: ['simulations'],
    request: { params: idParams() },
    notFound: notFoundById,
    responses: {
      200: response('The report.', { mediaType: 'text/html', schema: { type: 'string' }, example: '<!doctype html><html lang="en">…</html>' }, {}, { rateLimited: true }),
      ...refusals(withId(REPORT_PATH, example.id)),
    },
    async handle({ service, tuning }, { params: { id } }, res) {
      const { result, svg } = await load(service, tuning, id);
      const resultPath = withId(RESULT_PATH, id);
      const html = reportHtml({
        id,
        summary: result.summary,
        chartSvg: svg,
        links: {
          json: resultPath,
          csv: `${resultPath}?format=csv`,
          svg: withId(CHART_SVG_PATH, id),
          png: withId(CHART_PNG_PATH, id),
          record: simulationPath(id),
        },
      });
      res.set({ 'Content-Security-Policy': REPORT_CSP, 'Cache-Control': IMMUTABLE_CACHE_CONTROL }).type('text/html; charset=utf-8').send(html);
    },
  });

  return [getSvg, getPng, getReport];
}

/**
 * A finished plan's answer on a sweep's first axis: the value its boundary scenario holds at that
 * field, so a plan on `max-write-rate` marks a sweep over `workload.writesPerSec`. Undefined when
 * the plan found no boundary (its answer is null).
 */
async function planAnswer(planning: PlanningService | undefined, planId: string, path: string, retryAfterSec: number): Promise<{ value: unknown; label: string } | undefined> {
  if (!planning) throw new ServiceUnavailableError('planning is not configured on this server');
  if (!planId.startsWith('plan-')) throw new HttpProblem({ status: 422, code: 'VALIDATION_FAILED', detail: `plan: ${planId} is a host plan; give a plan- id` });
  const state = await planning.getPlanning('plan', planId);
  if (!state) throw new HttpProblem({ status: 404, code: 'NOT_FOUND', detail: `plan: no plan has the id ${planId}` });
  if (state.status !== 'completed' || !state.result) {
    throw stateConflict('PLAN_NOT_FINISHED', `plan: ${planId} is ${state.status}; its answer exists once it has completed.`, state.status, { 'Retry-After': String(retryAfterSec) });
  }
  const { boundary, question, answer } = state.result;
  if (!boundary) return undefined;
  const value = path.split('.').reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), boundary.scenario);
  if (value === undefined) {
    throw new HttpProblem({ status: 422, code: 'PLAN_NOT_ON_AXIS', detail: `plan: the boundary of ${planId} (${question}) sets no ${path}, the sweep's first axis` });
  }
  return { value, label: `${question}: ${answer.value} ${answer.unit}` };
}

/** The picture of a finished sweep: its rows against the first axis. */
export function sweepPictureOperations(config: HttpConfig): Operation[] {
  const exampleId = 'swp-5b1e0c9d2a7f4e36';
  const instance = withId(SWEEP_CHART_SVG_PATH, exampleId);
  const getSweepSvg = operation({
    method: 'get',
    path: SWEEP_CHART_SVG_PATH,
    operationId: 'getSweepChartSvg',
    summary: 'A sweep’s peaks against its swept field, as SVG',
    description:
      'The first axis along x (numbers; sizes such as "16GiB" in GiB; other values in axis order) against each point’s peak host memory (solid) and peak ' +
      'copy-on-write (dashed), one pair of lines per value of a second axis, each point coloured by its verdict level, and the host limit when every point ' +
      'has the same one. Failed or cancelled points are left out. 409 until the sweep has finished.',
    tags: ['sweeps'],
    request: {
      params: z.object({ id: SweepIdSchema }),
      query: z.object({
        plan: PlanningIdSchema.optional().openapi({
          description: 'A finished plan whose boundary scenario sets the first axis’s field: its value there is marked on the chart (the plan’s answer in the sweep’s terms).',
        }),
      }),
    },
    notFound: (params) => sweepNotFound(String(params.id)),
    responses: {
      200: response('The chart.', { mediaType: 'image/svg+xml', schema: { type: 'string' }, example: '<svg xmlns="http://www.w3.org/2000/svg" …>…</svg>' }, {}, { rateLimited: true }),
      404: problemResponse(sweepNotFound(exampleId), instance, { description: 'No sweep has this id.' }),
      409: problemResponse(stateConflict('SWEEP_NOT_FINISHED', `Sweep ${exampleId} is running; its rows exist once every point has finished.`, 'running'), instance, {
        schema: StateConflictProblemSchema,
        headers: { 'Retry-After': RETRY_AFTER_HEADER_DOC },
      }),
      410: problemResponse(new HttpProblem({ status: 410, code: 'RESULT_EXPIRED', detail: `The rows of ${exampleId} have expired; submit the sweep again.` }), instance),
      422: problemResponse(new HttpProblem({ status: 422, code: 'PLAN_NOT_ON_AXIS', detail: 'plan: the boundary of plan-3f9c2a71b0d4e8a1 (max-dataset) sets no dataset.keys, the sweep\'s first axis' }), instance, {
        description: 'The plan given in `plan` does not set the sweep’s first field, or is a host plan.',
      }),
      ...commonProblemResponses(config.rateLimitPerMin, instance),
    },
    async handle({ service, tuning, planning }, { params: { id }, query }, res) {
      const record = await service.getSweep(id);
      if (!record) throw sweepNotFound(id);
      if (!isFinishedStatus(record.status)) {
        throw stateConflict('SWEEP_NOT_FINISHED', `Sweep ${id} is ${record.status}; its rows exist once every point has finished.`, record.status, {
          'Retry-After': String(tuning.retryAfterSec),
        });
      }
      const result = await service.sweepResult(id);
      if (!result) throw new HttpProblem({ status: 410, code: 'RESULT_EXPIRED', detail: `The rows of ${id} have expired; submit the sweep again.` });
      const answer = query.plan === undefined ? undefined : await planAnswer(planning, query.plan, record.axes[0]!.path, tuning.retryAfterSec);
      const { spec } = sweepChart({ axes: record.axes, rows: result.rows, answer, title: `peak memory across ${record.axes.map((a) => a.path).join(' × ')}` });
      res.set('Cache-Control', IMMUTABLE_CACHE_CONTROL).type('image/svg+xml; charset=utf-8').send(await renderSvg(spec));
    },
  });
  return [getSweepSvg];
}
