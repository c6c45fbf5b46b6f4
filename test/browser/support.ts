// A real browser against a real server: Debian's chromium driven by playwright-core (never a
// downloaded browser), and the API with the BullMQ service and an in-process worker pool on the
// test Redis under a fresh key prefix, listening on a loopback port the kernel picks.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createApp } from '../../src/http/app.js';
import { createBullmqSimulationService } from '../../src/queue/bullmq-simulation-service.js';
import { createWorkerPool, type WorkerPool } from '../../src/queue/worker-pool.js';
import type { SimulationService } from '../../src/service/simulation-service.js';
import { deleteKeys, randomPrefix, REDIS_URL } from '../queue/support.js';
import { TEST_CONFIG } from '../support/http-app.js';

/** Results outlive the test by far; the prefix's keys are deleted after it anyway. */
const RESULT_TTL_SEC = 600;

/** Debian's chromium, or FORKCAST_CHROMIUM. .ci/run installs the package when it is missing. */
export function chromiumPath(): string {
  const explicit = process.env.FORKCAST_CHROMIUM;
  if (explicit) return explicit;
  try {
    const found = execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
    if (found && existsSync(found)) return found;
  } catch {
    // fall through to the message below
  }
  throw new Error('The browser tests need Debian’s chromium on PATH (apt-get install -y chromium; .ci/run installs it) or FORKCAST_CHROMIUM');
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    timeout: 30_000,
  });
}

export interface TestServer {
  baseUrl: string;
  close(): Promise<void>;
}

export async function startServer(): Promise<TestServer> {
  const prefix = randomPrefix();
  const service: SimulationService & { close(): Promise<void> } = createBullmqSimulationService({ redisUrl: REDIS_URL, prefix, resultTtlSec: RESULT_TTL_SEC });
  const pool: WorkerPool = createWorkerPool({ redisUrl: REDIS_URL, prefix, concurrency: 1, resultTtlSec: RESULT_TTL_SEC });
  await pool.waitUntilReady();
  const app = createApp({ service, config: TEST_CONFIG });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.close(5000);
      await service.close();
      await deleteKeys(prefix);
    },
  };
}

export interface PageWatch {
  /** Console errors and uncaught exceptions, as text. */
  errors: string[];
  /** Every URL the page requested. */
  requests: string[];
}

export function watch(page: Page): PageWatch {
  const seen: PageWatch = { errors: [], requests: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') seen.errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (err) => seen.errors.push(`page: ${err.message}`));
  page.on('request', (request) => seen.requests.push(request.url()));
  return seen;
}
