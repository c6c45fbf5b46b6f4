// Per-client request budget on /v1, with the IETF draft-8 RateLimit and RateLimit-Policy
// headers. The store is per process: behind several API processes each keeps its own count.
import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { HttpProblem } from './problem.js';

export function rateLimiter(limitPerMin: number): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: limitPerMin,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req, _res, next) => {
      next(
        new HttpProblem({
          status: 429,
          code: 'RATE_LIMITED',
          detail: `More than ${limitPerMin} requests in a minute; retry after the Retry-After seconds.`,
        }),
      );
    },
  });
}
