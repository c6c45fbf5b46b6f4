// Probes and metrics for whoever runs the service: /livez answers as long as the process
// serves HTTP; /readyz also asks Redis and fails while the process drains; /metrics is
// Prometheus text.
import { LivenessSchema, ReadinessSchema } from '../../schemas/http.js';
import { problemResponse, response } from '../openapi-parts.js';
import { operation, type Operation } from '../operation.js';
import { HttpProblem } from '../problem.js';

const draining = () => new HttpProblem({ status: 503, code: 'DRAINING', detail: 'The server is shutting down.' });
const notReady = () => new HttpProblem({ status: 503, code: 'NOT_READY', detail: 'Redis does not answer.' });

export function operatorOperations(): Operation[] {
  const liveness = operation({
    method: 'get',
    path: '/livez',
    operationId: 'getLiveness',
    summary: 'Liveness probe',
    description: 'Answers 200 while the process serves HTTP; does not touch Redis.',
    tags: ['operations'],
    responses: { 200: response('Alive.', { schema: LivenessSchema, example: { status: 'ok' } }) },
    handle(_context, _input, res) {
      res.json({ status: 'ok' });
    },
  });
  const readiness = operation({
    method: 'get',
    path: '/readyz',
    operationId: 'getReadiness',
    summary: 'Readiness probe',
    description: 'Answers 200 when Redis answers PING and the process is not shutting down, else 503.',
    tags: ['operations'],
    responses: {
      200: response('Ready for traffic.', { schema: ReadinessSchema, example: { status: 'ready' } }),
      503: problemResponse(notReady(), '/readyz', { description: 'Redis does not answer (NOT_READY) or the process drains (DRAINING).' }),
    },
    async handle({ service, health }, _input, res) {
      if (health.draining()) throw draining();
      const ready = await service.ready().catch(() => false);
      if (!ready) throw notReady();
      res.json({ status: 'ready' });
    },
  });
  const metrics = operation({
    method: 'get',
    path: '/metrics',
    operationId: 'getMetrics',
    summary: 'Prometheus metrics',
    description:
      'Process metrics, http_request_duration_seconds by method, route and status, forkcast_queue_jobs by state, and ' +
      'forkcast_engine_run_seconds when workers run in this process.',
    tags: ['operations'],
    responses: {
      200: response('Prometheus text exposition format 0.0.4.', {
        mediaType: 'text/plain',
        schema: { type: 'string' },
        example: '# HELP forkcast_queue_jobs Simulation jobs in the queue by state.\n# TYPE forkcast_queue_jobs gauge\nforkcast_queue_jobs{state="waiting"} 0\n',
      }),
    },
    async handle({ registry }, _input, res) {
      const text = await registry.metrics();
      res.type(registry.contentType).send(text);
    },
  });
  return [liveness, readiness, metrics];
}
