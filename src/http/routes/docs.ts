// The OpenAPI document as JSON and the Swagger UI explorer over it.
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import swaggerUi from 'swagger-ui-express';
import type { RouteContext, RouteModule } from '../context.js';
import { response } from '../openapi-parts.js';
import { allow } from './shared.js';

function router({ document }: RouteContext): Router {
  const routes = Router();
  routes
    .route('/openapi.json')
    .get((_req, res) => {
      res.json(document);
    })
    .all(allow('GET'));
  routes.use('/docs', swaggerUi.serve);
  routes.get('/docs', swaggerUi.setup(document, { customSiteTitle: 'forkcast API', swaggerOptions: { validatorUrl: null } }));
  return routes;
}

function document(registry: OpenAPIRegistry): void {
  registry.registerPath({
    method: 'get',
    path: '/openapi.json',
    operationId: 'getOpenApiDocument',
    summary: 'This OpenAPI 3.1 document',
    tags: ['operations'],
    responses: {
      200: response('The document.', { schema: { type: 'object' }, example: { openapi: '3.1.0', info: { title: 'forkcast', version: '0.1.0' } } }),
    },
  });
}

export const docsRoutes: RouteModule = { router, document };
