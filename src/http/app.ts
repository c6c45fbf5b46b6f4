// The Express application around a SimulationService. Nothing here listens or reads the
// environment: the entry files do that, and tests drive the app directly with supertest.
import cors from 'cors';
import express from 'express';
import helmet from 'helmet';
import { pino, type Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import type { Registry } from 'prom-client';
import type { PlanningService } from '../service/planning-service.js';
import type { SimulationService } from '../service/simulation-service.js';
import { DEFAULT_TUNING, type Health, type HttpConfig, type HttpTuning, type RouteContext } from './context.js';
import { errorHandler, notFound } from './error-handler.js';
import { DEFAULT_EXAMPLES_DIR, loadExamples } from './examples.js';
import { withDeadlines, withPlanningDeadlines } from './guarded-service.js';
import { createMetricsRegistry, httpMetrics, registerQueueDepthGauge } from './metrics.js';
import { buildOpenApiDocument } from './openapi.js';
import { operationsRouter, type OperationGroup } from './operation.js';
import { rateLimiter } from './rate-limit.js';
import { requestId } from './request-id.js';
import { strictTransportSecurity } from './transport-security.js';
import { docsExplorer } from './routes/docs.js';
import { API_ROUTES, OPERATION_ROUTES } from './routes/index.js';
import { webPage } from './web-page.js';

export interface AppDeps {
  service: SimulationService;
  /** Plans and host plans. @defaultValue none: /v1/plans and /v1/hosts answer 503 */
  planning?: PlanningService;
  config: HttpConfig;
  /** Request and error log. @defaultValue a silent logger */
  logger?: Logger;
  /** Shared with an in-process worker's engine metrics. @defaultValue a new registry with default metrics */
  registry?: Registry;
  /** @defaultValue never draining */
  health?: Health;
  /** @defaultValue examples/ at the repository root */
  examplesDir?: string;
  /** The page at GET /. @defaultValue web/ at the repository root */
  webDir?: string;
  tuning?: Partial<HttpTuning>;
}

const EXPOSED_HEADERS = ['Location', 'Content-Location', 'Retry-After', 'RateLimit', 'RateLimit-Policy', 'X-Request-Id'];

export function createApp(deps: AppDeps): express.Express {
  const logger = deps.logger ?? pino({ level: 'silent' });
  const registry = deps.registry ?? createMetricsRegistry();
  const tuning = { ...DEFAULT_TUNING, ...deps.tuning };
  const health = deps.health ?? { draining: () => false };
  const service = withDeadlines(deps.service, tuning.serviceTimeoutMs);
  registerQueueDepthGauge(registry, () => service.counts());

  const context: RouteContext = {
    service,
    planning: deps.planning && withPlanningDeadlines(deps.planning, tuning.serviceTimeoutMs),
    config: deps.config,
    tuning,
    logger,
    registry,
    health,
    examples: loadExamples(deps.examplesDir ?? DEFAULT_EXAMPLES_DIR, logger),
    document: buildOpenApiDocument(deps.config),
  };

  const app = express();
  app.disable('x-powered-by');
  // Behind TLS-terminating proxies, req.secure then reads their X-Forwarded-Proto.
  if (deps.config.trustProxyHops) app.set('trust proxy', deps.config.trustProxyHops);
  app.use(requestId());
  app.use(
    pinoHttp({
      logger,
      genReqId: (req) => req.id,
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
      // Headers (~1.5 KB a request, cookies and keys among them) only when debugging.
      serializers: {
        req: (req: { id: unknown; method: string; url: string; headers: unknown }) =>
          logger.isLevelEnabled('debug') ? { id: req.id, method: req.method, url: req.url, headers: req.headers } : { id: req.id, method: req.method, url: req.url },
        res: (res: { statusCode: number; headers: unknown }) =>
          logger.isLevelEnabled('debug') ? { statusCode: res.statusCode, headers: res.headers } : { statusCode: res.statusCode },
      },
    }),
  );
  app.use(httpMetrics(registry));
  // swagger-ui over plain http breaks when the CSP asks browsers to upgrade its requests.
  // HSTS only on an answer that went out over TLS (RFC 6797 §7.2: not over plain HTTP).
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } }, strictTransportSecurity: false }));
  app.use(strictTransportSecurity());
  app.use(cors({ exposedHeaders: EXPOSED_HEADERS }));
  app.use((_req, res, next) => {
    // While draining, ask keep-alive clients to reconnect, which takes them to another instance.
    if (health.draining()) res.set('Connection', 'close');
    next();
  });

  const routes = (groups: readonly OperationGroup[]) => operationsRouter(groups.flatMap((group) => group(deps.config)), context);
  app.use(routes(OPERATION_ROUTES));
  app.use(docsExplorer(context.document));
  app.use(webPage(deps.webDir));
  app.use('/v1', rateLimiter(deps.config.rateLimitPerMin));
  app.use(routes(API_ROUTES));

  app.use(notFound());
  app.use(errorHandler({ bodyLimitBytes: deps.config.bodyLimitBytes, logger }));
  return app;
}
