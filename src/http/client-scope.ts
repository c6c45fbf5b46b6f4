// Whom a client-chosen name (an Idempotency-Key) belongs to. Without API keys a client is known
// only by its address; once API keys exist the key a request authenticates with replaces it, so
// that two clients never share a record through a key they both happened to choose.
import type { Request } from 'express';

/** The client's scope: today its address (`req.ip`, the socket's peer: the app trusts no proxy header). */
export function clientScope(req: Pick<Request, 'ip'>): string {
  return `ip:${req.ip ?? 'unknown'}`;
}
