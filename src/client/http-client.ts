// A small HTTP client of the forkcast API over the global fetch: one request function that
// turns every way a request can fail into one of three errors (see errors.ts), and a reader
// of Server-Sent Events. It knows the API's conventions (problem+json, Retry-After), not the
// engine.
import { ProblemSchema } from '../schemas/api.js';
import { ProblemError, UnavailableError, UnexpectedResponseError } from './errors.js';

export interface HttpClientOptions {
  /** Where the API is, e.g. `http://localhost:3000`; a path after the host is kept as a prefix. */
  baseUrl: string;
  /**
   * Longest wait for one answer, ms; a long poll (`?wait=N`) adds its N seconds.
   * @defaultValue 30000
   */
  requestTimeoutMs?: number;
  /** @defaultValue globalThis.fetch */
  fetch?: typeof fetch;
}

export interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  /** Sent as JSON. A string is sent as it is (JSON the caller already has). */
  body?: unknown;
  headers?: Record<string, string>;
  accept?: string;
  /** Added to the request timeout: the server may hold the request this long on purpose. */
  extraTimeoutMs?: number;
  signal?: AbortSignal;
}

export interface Answer {
  status: number;
  headers: Headers;
  /** The parsed body when it is JSON, otherwise the text. */
  body: unknown;
  text: string;
}

/** Statuses that mean "not now" rather than "not this": retrying later can succeed. */
const UNAVAILABLE_STATUSES = new Set([429, 502, 503, 504]);

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export interface SseEvent {
  event: string;
  data: string;
}

export class HttpClient {
  readonly baseUrl: URL;
  private readonly requestTimeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor({ baseUrl, requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS, fetch: fetchImpl = globalThis.fetch }: HttpClientOptions) {
    let url: URL;
    try {
      url = new URL(baseUrl);
    } catch {
      throw new TypeError(`not a URL: ${JSON.stringify(baseUrl)}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`expected an http:// or https:// URL, got ${baseUrl}`);
    this.baseUrl = url;
    this.requestTimeoutMs = requestTimeoutMs;
    this.fetchImpl = fetchImpl;
  }

  /** An API path (`/v1/...`, as in a `Location` header or `links`) as a URL on this server. */
  url(path: string, query: RequestOptions['query'] = {}): URL {
    const prefix = this.baseUrl.pathname.replace(/\/+$/, '');
    const url = new URL(prefix + (path.startsWith('/') ? path : `/${path}`), this.baseUrl);
    for (const [name, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(name, String(value));
    return url;
  }

  /** One request; resolves with any 1xx–3xx answer and throws ProblemError / UnavailableError otherwise. */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<Answer> {
    const timeoutMs = this.requestTimeoutMs + (options.extraTimeoutMs ?? 0);
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const response = await this.send(method, path, options, signal, timeoutMs);
    const text = await readText(response, path, signal, timeoutMs);
    const body = isJson(response.headers) && text !== '' ? parseJson(text, method, path) : text;
    if (response.status >= 400) throw failure(response, body, method, path);
    return { status: response.status, headers: response.headers, body, text };
  }

  /**
   * Follows a Server-Sent Events stream until the server ends it or `signal` aborts. The request
   * timeout bounds the wait for the headers only; once the stream is open the caller's signal does.
   */
  async *events(path: string, signal: AbortSignal): AsyncGenerator<SseEvent> {
    const headersTimeout = new AbortController();
    const timer = setTimeout(() => headersTimeout.abort(), this.requestTimeoutMs);
    let response: Response;
    try {
      response = await this.send('GET', path, { accept: 'text/event-stream' }, AbortSignal.any([signal, headersTimeout.signal]), this.requestTimeoutMs);
    } finally {
      clearTimeout(timer);
    }
    if (response.status >= 400) {
      const text = await readText(response, path, signal, this.requestTimeoutMs);
      throw failure(response, isJson(response.headers) && text !== '' ? parseJson(text, 'GET', path) : text, 'GET', path);
    }
    if (!response.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    let event = 'message';
    let data: string[] = [];
    try {
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let newline: number;
        while ((newline = buffer.search(/\r?\n/)) >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(buffer[newline] === '\r' ? newline + 2 : newline + 1);
          if (line === '') {
            if (data.length > 0) yield { event, data: data.join('\n') };
            event = 'message';
            data = [];
          } else if (!line.startsWith(':')) {
            const colon = line.indexOf(':');
            const field = colon < 0 ? line : line.slice(0, colon);
            const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (field === 'event') event = value;
            else if (field === 'data') data.push(value);
          }
        }
      }
    } catch (err) {
      if (signal.aborted) return;
      throw new UnavailableError(`the event stream of ${path} broke off: ${networkReason(err)}`);
    }
  }

  private async send(method: string, path: string, options: RequestOptions, signal: AbortSignal, timeoutMs: number): Promise<Response> {
    const url = this.url(path, options.query);
    const headers: Record<string, string> = { accept: options.accept ?? 'application/json, application/problem+json', ...options.headers };
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    }
    try {
      return await this.fetchImpl(url, { method, headers, body, signal });
    } catch (err) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (signal.aborted) throw new UnavailableError(`${this.baseUrl.origin} did not answer ${method} ${path} within ${timeoutMs / 1000} s`);
      throw new UnavailableError(`cannot reach ${this.baseUrl.origin}: ${networkReason(err)}`);
    }
  }
}

async function readText(response: Response, path: string, signal: AbortSignal, timeoutMs: number): Promise<string> {
  try {
    return await response.text();
  } catch (err) {
    if (signal.aborted) throw new UnavailableError(`the answer to ${path} did not arrive within ${timeoutMs / 1000} s`);
    throw new UnavailableError(`the answer to ${path} broke off: ${networkReason(err)}`);
  }
}

function isJson(headers: Headers): boolean {
  return /[/+]json\b/.test(headers.get('content-type') ?? '');
}

function parseJson(text: string, method: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new UnexpectedResponseError(`${method} ${path} answered a body that is not valid JSON`);
  }
}

function retryAfterSec(headers: Headers): number | undefined {
  const value = Number(headers.get('retry-after'));
  return Number.isFinite(value) && value >= 0 && headers.has('retry-after') ? value : undefined;
}

function failure(response: Response, body: unknown, method: string, path: string): Error {
  const parsed = ProblemSchema.loose().safeParse(body);
  const problem = parsed.success
    ? parsed.data
    : { type: 'about:blank', title: response.statusText || `HTTP ${response.status}`, status: response.status, detail: typeof body === 'string' && body !== '' ? body.slice(0, 500) : undefined };
  if (UNAVAILABLE_STATUSES.has(response.status)) {
    const detail = problem.detail ?? problem.title;
    return new UnavailableError(`${method} ${path}: ${response.status} ${detail}`, retryAfterSec(response.headers));
  }
  return new ProblemError(response.status, problem);
}

/** fetch hides the socket error in `cause`: ECONNREFUSED, ENOTFOUND, … */
function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message;
}
