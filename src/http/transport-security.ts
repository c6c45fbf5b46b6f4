// Strict-Transport-Security, sent only when the request came over TLS: directly, or through a
// trusted proxy that says so in X-Forwarded-Proto (TRUST_PROXY). Over plain HTTP the header is
// meaningless and RFC 6797 §7.2 says a server must not send it.
import type { RequestHandler } from 'express';

/** One year, helmet's default and the minimum the HSTS preload list accepts. */
const HSTS_MAX_AGE_SEC = 365 * 86_400;

export function strictTransportSecurity(maxAgeSec = HSTS_MAX_AGE_SEC): RequestHandler {
  const value = `max-age=${maxAgeSec}; includeSubDomains`;
  return (req, res, next) => {
    if (req.secure) res.set('Strict-Transport-Security', value);
    next();
  };
}
