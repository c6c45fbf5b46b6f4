import { describe, expect, it } from 'vitest';
import { ProblemError, UnavailableError, UnexpectedResponseError } from './errors.js';
import { HttpClient } from './http-client.js';

/** A fetch that answers every request with `respond()`, recording the URLs asked for. */
function answering(respond: () => Response) {
  const urls: string[] = [];
  const fetchImpl = (async (input: string | URL | Request) => {
    urls.push(String(input));
    return respond();
  }) as typeof fetch;
  return { urls, client: new HttpClient({ baseUrl: 'http://forkcast.test:3000/api/', fetch: fetchImpl }) };
}

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

describe('HttpClient', () => {
  it('keeps a path prefix of the base URL and sets the query', async () => {
    const { client, urls } = answering(() => Response.json({ ok: true }));
    const answer = await client.request('GET', '/v1/simulations/sim-1/result', { query: { format: 'csv', maxPoints: undefined } });
    expect(urls).toEqual(['http://forkcast.test:3000/api/v1/simulations/sim-1/result?format=csv']);
    expect(answer.body).toEqual({ ok: true });
  });

  it('turns a problem+json 4xx into ProblemError, a 503 into UnavailableError with Retry-After', async () => {
    const problem = { type: 'about:blank', title: 'Not Found', status: 404, code: 'SIMULATION_NOT_FOUND', detail: 'No simulation with id "sim-x".' };
    const notFound = answering(() => new Response(JSON.stringify(problem), { status: 404, headers: { 'content-type': 'application/problem+json' } }));
    const error = await notFound.client.request('GET', '/v1/simulations/sim-x').catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ProblemError);
    expect((error as ProblemError).problem).toMatchObject({ code: 'SIMULATION_NOT_FOUND', detail: 'No simulation with id "sim-x".' });

    const busy = answering(() => new Response(JSON.stringify({ ...problem, status: 503, detail: 'Redis is away' }), { status: 503, headers: { 'content-type': 'application/problem+json', 'retry-after': '5' } }));
    const unavailable = await busy.client.request('GET', '/v1/simulations').catch((err: unknown) => err);
    expect(unavailable).toBeInstanceOf(UnavailableError);
    expect((unavailable as UnavailableError).retryAfterSec).toBe(5);
    expect((unavailable as UnavailableError).message).toBe('GET /v1/simulations: 503 Redis is away');

    const html = answering(() => new Response('<html>', { status: 500, headers: { 'content-type': 'text/html' } }));
    expect(((await html.client.request('GET', '/x').catch((err: unknown) => err)) as ProblemError).problem.detail).toBe('<html>');
    const broken = answering(() => new Response('{ nope', { headers: { 'content-type': 'application/json' } }));
    await expect(broken.client.request('GET', '/x')).rejects.toBeInstanceOf(UnexpectedResponseError);
  });

  it('says which server could not be reached, and why', async () => {
    const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    const client = new HttpClient({ baseUrl: 'http://127.0.0.1:1', fetch: (async () => Promise.reject(refused)) as typeof fetch });
    await expect(client.request('GET', '/v1/simulations')).rejects.toThrow(new UnavailableError('cannot reach http://127.0.0.1:1: ECONNREFUSED'));
    expect(() => new HttpClient({ baseUrl: 'ftp://x' })).toThrow(/expected an http:\/\/ or https:\/\/ URL/);
  });

  it('reads Server-Sent Events split anywhere across chunks, CRLF or LF, skipping comments', async () => {
    const wire = 'retry: 2000\n\n: heartbeat\n\nevent: record\ndata: {"a":\ndata: 1}\n\r\nevent: status\r\ndata: {"done":true}\r\n\r\ndata: plain\n\n';
    // Every split of the stream into two chunks parses the same.
    for (let cut = 0; cut <= wire.length; cut++) {
      const { client } = answering(() => new Response(streamOf([wire.slice(0, cut), wire.slice(cut)]), { headers: { 'content-type': 'text/event-stream' } }));
      const events = [];
      for await (const event of client.events('/v1/simulations/sim-1/events', new AbortController().signal)) events.push(event);
      expect(events, `cut at ${cut}`).toEqual([
        { event: 'record', data: '{"a":\n1}' },
        { event: 'status', data: '{"done":true}' },
        { event: 'message', data: 'plain' },
      ]);
    }
  });
});
