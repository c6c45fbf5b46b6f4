// /v1/presets: the platform presets a scenario's kernel.platform can name, and the example
// scenarios shipped in examples/, each ready to POST.
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import { PLATFORM_PRESETS } from '../../engine/platforms.js';
import { PresetsSchema } from '../../schemas/http.js';
import type { HttpConfig, RouteContext, RouteModule } from '../context.js';
import { commonProblemResponses, EXAMPLE_SCENARIO, response } from '../openapi-parts.js';
import { allow } from './shared.js';

function router({ examples }: RouteContext): Router {
  const routes = Router();
  const body = { platforms: PLATFORM_PRESETS, examples };
  routes
    .route('/v1/presets')
    .get((_req, res) => {
      res.json(body);
    })
    .all(allow('GET'));
  return routes;
}

function document(registry: OpenAPIRegistry, config: HttpConfig): void {
  registry.registerPath({
    method: 'get',
    path: '/v1/presets',
    operationId: 'getPresets',
    summary: 'Platform presets and example scenarios',
    description: 'kernel.platform takes a preset id; kernel.forkUsecPerGiB, kernel.forkWritableUsecPerGiB and kernel.cowFaultUsec override its figures.',
    tags: ['presets'],
    responses: {
      200: response(
        'Presets and examples.',
        { schema: PresetsSchema, example: { platforms: PLATFORM_PRESETS.slice(0, 1), examples: [{ id: 'cache-100b', scenario: EXAMPLE_SCENARIO }] } },
        {},
        { rateLimited: true },
      ),
      429: commonProblemResponses(config.rateLimitPerMin, '/v1/presets')[429]!,
    },
  });
}

export const presetsRoutes: RouteModule = { router, document };
