// The Node HTTP server around the app, with the limits Node leaves open or lax: how long a
// client may take to send its headers and its whole request, how many connections it holds,
// and problem+json for the errors Node answers before express sees a request (431, 408, 400).
import { createServer, STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { RequestListener } from 'node:http';
import type { Logger } from 'pino';
import { HttpProblem, PROBLEM_CONTENT_TYPE } from './problem.js';

export interface ServerLimits {
  /** Longest time to receive a request's headers, ms. @defaultValue 10000 */
  headersTimeoutMs: number;
  /** Longest time to receive a whole request, body included, ms. @defaultValue 30000 + the longest ?wait */
  requestTimeoutMs: number;
  /** Open connections at most; more are closed on arrival. @defaultValue 256 */
  maxConnections: number;
  /**
   * How often Node looks for requests past their timeouts, ms: a slow client is cut at most
   * this long after its deadline (Node's own default is 30000).
   * @defaultValue 1000
   */
  checkIntervalMs?: number;
}

const DEFAULT_CHECK_INTERVAL_MS = 1000;

/** Request line and headers at most, bytes: Node's default, stated in the 431. */
const MAX_HEADER_BYTES = 16_384;

function clientErrorProblem(code: string | undefined, limits: ServerLimits): HttpProblem {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return new HttpProblem({
        status: 431,
        code: 'HEADERS_TOO_LARGE',
        detail: `The request line and headers exceed the limit of ${MAX_HEADER_BYTES} bytes.`,
      });
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new HttpProblem({
        status: 408,
        code: 'REQUEST_TIMEOUT',
        detail: `The headers must arrive within ${limits.headersTimeoutMs} ms and the whole request within ${limits.requestTimeoutMs} ms.`,
      });
    default:
      return new HttpProblem({ status: 400, code: 'BAD_REQUEST', detail: 'The request is not valid HTTP/1.1.' });
  }
}

/** A response written straight onto the socket: the request never reached express. */
function writeProblem(socket: Duplex, problem: HttpProblem): void {
  const body = JSON.stringify(problem.body());
  socket.end(
    `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}\r\n` +
      `Content-Type: ${PROBLEM_CONTENT_TYPE}; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}

export function createHttpServer(app: RequestListener, limits: ServerLimits, logger?: Logger): Server {
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: limits.checkIntervalMs ?? DEFAULT_CHECK_INTERVAL_MS,
      maxHeaderSize: MAX_HEADER_BYTES,
    },
    app,
  );
  server.maxConnections = limits.maxConnections;
  server.on('drop', (data?: { remoteAddress?: string }) => {
    logger?.warn({ remoteAddress: data?.remoteAddress, maxConnections: limits.maxConnections }, 'connection refused: too many open');
  });
  server.on('clientError', (err: Error & { code?: string }, socket: Duplex) => {
    // A reset or a response already under way leaves nothing to answer.
    const pending = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (err.code === 'ECONNRESET' || !socket.writable || pending?.headersSent) {
      socket.destroy();
      return;
    }
    writeProblem(socket, clientErrorProblem(err.code, limits));
  });
  return server;
}
