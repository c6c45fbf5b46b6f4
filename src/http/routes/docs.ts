// The OpenAPI document as JSON, and the Swagger UI explorer over it (a page, not an operation
// of the API, so it is not in the document).
import { Router } from 'express';
import swaggerUi from 'swagger-ui-express';
import { response } from '../openapi-parts.js';
import { operation, type Operation } from '../operation.js';

export function docsOperations(): Operation[] {
  const getDocument = operation({
    method: 'get',
    path: '/openapi.json',
    operationId: 'getOpenApiDocument',
    summary: 'This OpenAPI 3.1 document',
    tags: ['operations'],
    responses: {
      200: response('The document.', { schema: { type: 'object' }, example: { openapi: '3.1.0', info: { title: 'forkcast', version: '0.1.0' } } }),
    },
    handle({ document }, _input, res) {
      res.json(document);
    },
  });
  return [getDocument];
}

export function docsExplorer(document: object): Router {
  const routes = Router();
  routes.use('/docs', swaggerUi.serve);
  routes.get('/docs', swaggerUi.setup(document, { customSiteTitle: 'forkcast API', swaggerOptions: { validatorUrl: null } }));
  return routes;
}
