// The last two middlewares: 404 for routes nobody serves, and the one place that turns any
// error into problem+json. Stack traces go to the log, never into a response.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { PROBLEM_CONTENT_TYPE, routeNotFound, toProblem } from './problem.js';

export function notFound(): RequestHandler {
  return (req, _res, next) => next(routeNotFound(req.method, req.path));
}

export function errorHandler(options: { bodyLimitBytes: number; logger: Logger }): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const problem = toProblem(err, { bodyLimitBytes: options.bodyLimitBytes });
    const log = req.log ?? options.logger;
    if (problem.status === 503) log.warn({ err, code: problem.code }, 'dependency unavailable');
    else if (problem.status >= 500) log.error({ err, code: problem.code }, 'request failed');
    if (res.headersSent) {
      // A stream (SSE) was already under way: all that is left is to end it.
      res.end();
      return;
    }
    res.status(problem.status).set(problem.headers).type(PROBLEM_CONTENT_TYPE).json(problem.body(req.originalUrl.split('?')[0]));
  };
}
