// X-Request-Id: kept when the client (or a proxy in front) sends a sane one, generated
// otherwise; echoed on every response and attached to the request for the logger.
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';

export const REQUEST_ID_HEADER = 'X-Request-Id';

/** Printable, log-safe and short: no spaces, quotes or control characters. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

export function acceptedRequestId(incoming: string | string[] | undefined): string | undefined {
  return typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming) ? incoming : undefined;
}

export function requestId(): RequestHandler {
  return (req, res, next) => {
    const id = acceptedRequestId(req.headers['x-request-id']) ?? randomUUID();
    req.id = id;
    res.setHeader(REQUEST_ID_HEADER, id);
    next();
  };
}
