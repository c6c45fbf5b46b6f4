import { once } from 'node:events';
import type { Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createHttpServer, type ServerLimits } from '../../src/http/server.js';
import { testApp } from '../support/http-app.js';

const LIMITS: ServerLimits = { headersTimeoutMs: 600, requestTimeoutMs: 1200, maxConnections: 50, checkIntervalMs: 100 };

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

async function start(limits: Partial<ServerLimits> = {}): Promise<number> {
  const { app } = testApp();
  server = createHttpServer(app, { ...LIMITS, ...limits });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** Everything the server sends until it closes the socket, and when it closed. */
function collect(socket: Socket): Promise<{ text: string; closedAtMs: number }> {
  const started = Date.now();
  let text = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  socket.on('error', () => undefined);
  return new Promise((resolve) => socket.on('close', () => resolve({ text, closedAtMs: Date.now() - started })));
}

function problemOf(text: string): { status: number; contentType: string; body: Record<string, any> } {
  const [head, body] = text.split('\r\n\r\n');
  return {
    status: Number(head!.split(' ')[1]),
    contentType: /content-type: ([^\r]+)/i.exec(head!)?.[1] ?? '',
    body: JSON.parse(body!),
  };
}

async function open(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  return socket;
}

describe('the HTTP server limits', () => {
  it('cuts a client that sends its headers a byte at a time at headersTimeout, with a 408 problem', async () => {
    const port = await start();
    const socket = await open(port);
    const done = collect(socket);
    socket.write('GET /livez HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    const drip = setInterval(() => socket.writable && socket.write('a'), 50);
    const { text, closedAtMs } = await done;
    clearInterval(drip);
    const problem = problemOf(text);
    expect(problem.status).toBe(408);
    expect(problem.contentType).toBe('application/problem+json; charset=utf-8');
    expect(problem.body).toMatchObject({ status: 408, code: 'REQUEST_TIMEOUT' });
    expect(problem.body.detail).toContain('within 600 ms');
    // Cut after the 600 ms deadline, within a few check intervals of it, not at Node's 60 s.
    expect(closedAtMs).toBeGreaterThanOrEqual(550);
    expect(closedAtMs).toBeLessThan(5000);
  });

  it('cuts a slow body at requestTimeout, with a 408 problem', async () => {
    const port = await start();
    const socket = await open(port);
    const done = collect(socket);
    socket.write('POST /v1/simulations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{');
    const drip = setInterval(() => socket.writable && socket.write(' '), 50);
    const { text, closedAtMs } = await done;
    clearInterval(drip);
    expect(problemOf(text).body).toMatchObject({ status: 408, code: 'REQUEST_TIMEOUT' });
    expect(closedAtMs).toBeGreaterThanOrEqual(1100);
    expect(closedAtMs).toBeLessThan(6000);
  });

  it('answers a 17 KB query with a 431 problem', async () => {
    const port = await start();
    const socket = await open(port);
    const done = collect(socket);
    socket.write(`GET /v1/simulations?cursor=${'a'.repeat(17 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    const problem = problemOf((await done).text);
    expect(problem.status).toBe(431);
    expect(problem.contentType).toBe('application/problem+json; charset=utf-8');
    expect(problem.body).toMatchObject({ type: 'about:blank', title: 'Request Header Fields Too Large', status: 431, code: 'HEADERS_TOO_LARGE' });
    expect(problem.body.detail).toContain('16384 bytes');
  });

  it('answers a request that is not HTTP with a 400 problem', async () => {
    const port = await start();
    const socket = await open(port);
    const done = collect(socket);
    socket.write('HELLO\r\n\r\n');
    const problem = problemOf((await done).text);
    expect(problem.status).toBe(400);
    expect(problem.body).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
  });

  it('closes connections past maxConnections on arrival and still serves the open ones', async () => {
    const port = await start({ maxConnections: 2 });
    const first = await open(port);
    const second = await open(port);
    const third = await open(port);
    const refused = collect(third);
    expect((await refused).text).toBe('');
    const answered = collect(first);
    first.write('GET /livez HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect((await answered).text).toMatch(/^HTTP\/1.1 200 OK/);
    second.destroy();
  });
});

describe('connection settings', () => {
  it('defaults: headers 10 s, request 30 s plus the longest wait, 256 connections', () => {
    const config = loadConfig({});
    expect(config.headersTimeoutMs).toBe(10_000);
    expect(config.requestTimeoutMs).toBe(30_000 + 60_000);
    expect(config.maxConnections).toBe(256);
    expect(loadConfig({ MAX_WAIT_SEC: '10' }).requestTimeoutMs).toBe(40_000);
  });

  it('each is configurable and checked', () => {
    const config = loadConfig({ HEADERS_TIMEOUT_MS: '2000', REQUEST_TIMEOUT_MS: '5000', MAX_CONNECTIONS: '10' });
    expect([config.headersTimeoutMs, config.requestTimeoutMs, config.maxConnections]).toEqual([2000, 5000, 10]);
    expect(() => loadConfig({ MAX_CONNECTIONS: '0' })).toThrow(/MAX_CONNECTIONS/);
  });
});
