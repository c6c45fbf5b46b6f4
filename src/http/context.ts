// What every operation's handler gets: the service behind the API, the limits from
// configuration and the process-wide pieces (metrics registry, OpenAPI document, health state).
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from '../config.js';
import type { ExampleScenario } from '../schemas/http.js';
import type { PlanningService } from '../service/planning-service.js';
import type { SimulationService } from '../service/simulation-service.js';

/** The part of the configuration the HTTP layer reads. */
export type HttpConfig = Pick<Config, 'bodyLimitBytes' | 'maxWaitSec' | 'rateLimitPerMin' | 'maxPoints' | 'maxSweepPoints'> &
  Partial<Pick<Config, 'trustProxyHops'>>;

export interface HttpTuning {
  /**
   * Longest wait for any one service call before the request fails with 503, ms.
   * @defaultValue 5000
   */
  serviceTimeoutMs: number;
  /**
   * Interval of SSE comment lines that keep proxies from closing an idle stream, ms.
   * @defaultValue 15000
   */
  heartbeatMs: number;
  /**
   * Retry-After on 202 answers, seconds.
   * @defaultValue 1
   */
  retryAfterSec: number;
}

export const DEFAULT_TUNING: HttpTuning = { serviceTimeoutMs: 5000, heartbeatMs: 15_000, retryAfterSec: 1 };

export interface Health {
  /** True once shutdown has begun: /readyz fails so that load balancers stop sending traffic. */
  draining(): boolean;
}

export interface RouteContext {
  /** Every call bounded by `tuning.serviceTimeoutMs`. */
  service: SimulationService;
  /** Plans and host plans; undefined where the server has none (they answer 503). */
  planning?: PlanningService | undefined;
  config: HttpConfig;
  tuning: HttpTuning;
  logger: Logger;
  registry: Registry;
  health: Health;
  examples: readonly ExampleScenario[];
  /** The generated OpenAPI document. */
  document: object;
}
