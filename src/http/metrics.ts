// Prometheus metrics: one registry per process, shared by the API and an in-process worker.
// HTTP durations are labelled by route pattern (never the raw URL, whose ids would explode the
// label set); queue depth is read from the service at scrape time.
import type { Request, RequestHandler } from 'express';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export const HTTP_DURATION_METRIC = 'http_request_duration_seconds';
export const QUEUE_DEPTH_METRIC = 'forkcast_queue_jobs';
export const ENGINE_RUN_METRIC = 'forkcast_engine_run_seconds';

/** A registry with Node's default process metrics. */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** Engine wall time per simulation, for the worker side: `observe({ mode, outcome }, seconds)`. */
export function createEngineRunHistogram(registry: Registry): Histogram<'mode' | 'outcome'> {
  const existing = registry.getSingleMetric(ENGINE_RUN_METRIC);
  if (existing) return existing as Histogram<'mode' | 'outcome'>;
  return new Histogram({
    name: ENGINE_RUN_METRIC,
    help: 'Engine run time of one simulation, seconds.',
    labelNames: ['mode', 'outcome'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [registry],
  });
}

/** The route pattern that served the request, e.g. /v1/simulations/:id; "(unmatched)" for 404s. */
function routeLabel(req: Request): string {
  const path: unknown = req.route?.path;
  return typeof path === 'string' ? req.baseUrl + path : '(unmatched)';
}

export function httpMetrics(registry: Registry): RequestHandler {
  const histogram =
    (registry.getSingleMetric(HTTP_DURATION_METRIC) as Histogram<'method' | 'route' | 'status_code'> | undefined) ??
    new Histogram({
      name: HTTP_DURATION_METRIC,
      help: 'HTTP request duration from arrival to the last byte of the response, seconds.',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    });
  return (req, res, next) => {
    const end = histogram.startTimer();
    res.once('close', () => end({ method: req.method, route: routeLabel(req), status_code: String(res.statusCode) }));
    next();
  };
}

/**
 * Queue depth by state, asked of the service on each scrape; absent while it does not answer.
 * `counts` must carry its own deadline (the app passes the deadline-guarded service).
 */
export function registerQueueDepthGauge(registry: Registry, counts: () => Promise<Record<string, number>>): void {
  registry.removeSingleMetric(QUEUE_DEPTH_METRIC);
  new Gauge({
    name: QUEUE_DEPTH_METRIC,
    help: 'Simulation jobs in the queue by state.',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      this.reset();
      try {
        const byState = await counts();
        for (const [state, count] of Object.entries(byState)) this.set({ state }, count);
      } catch {
        // A scrape must not fail because Redis is down; /readyz reports that.
      }
    },
  });
}
