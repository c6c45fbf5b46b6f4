// Controller of the write-load worker: starts it, opens and closes the snapshot window, reads
// its counters, stops it. Under tsx (the CLI and the tests run the TypeScript sources) the
// worker registers tsx's loader itself, since Node 20 workers do not inherit module hooks.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { C, COUNTER_SLOTS, readCounts, type WriterCounts, type WriterOptions, type WriterWorkerData } from './writer-protocol.js';

const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 10_000;

/** URL of tsx's ESM API (its `import` export; `require` would load the CommonJS build). */
function tsxEsmApi(): string {
  const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  return pathToFileURL(join(dirname(manifest), pkg.exports['./esm/api']!.import.default)).href;
}

function spawnWorker(data: WriterWorkerData): Worker {
  const source = import.meta.url.endsWith('.ts') ? 'writer-worker.ts' : 'writer-worker.js';
  const url = new URL(`./${source}`, import.meta.url);
  if (!source.endsWith('.ts')) return new Worker(url, { workerData: data });
  const tsx = tsxEsmApi();
  const bootstrap = `import(${JSON.stringify(tsx)}).then((m) => { (m.register ?? m.default.register)(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: data });
}

export class WriteLoad {
  private readonly counters: Int32Array;
  private readonly done: Promise<{ firstError: string | null }>;

  private constructor(
    private readonly worker: Worker,
    buffer: SharedArrayBuffer,
  ) {
    this.counters = new Int32Array(buffer);
    this.done = new Promise((resolve) => {
      worker.once('message', (message: { firstError: string | null }) => resolve(message));
      worker.once('error', (err) => resolve({ firstError: err.message }));
      worker.once('exit', () => resolve({ firstError: null }));
    });
  }

  static async start(options: WriterOptions): Promise<WriteLoad> {
    const buffer = new SharedArrayBuffer(COUNTER_SLOTS * 4);
    const load = new WriteLoad(spawnWorker({ ...options, counters: buffer }), buffer);
    const deadline = Date.now() + START_TIMEOUT_MS;
    let early: { firstError: string | null } | undefined;
    void load.done.then((result) => (early = result));
    while (Atomics.load(load.counters, C.READY) !== 1) {
      if (early || Date.now() > deadline) {
        await load.worker.terminate();
        throw new Error(`write load did not start: ${early?.firstError ?? 'timed out'}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return load;
  }

  counts(): WriterCounts {
    return readCounts(this.counters);
  }

  openWindow(): void {
    Atomics.store(this.counters, C.WINDOW, 1);
  }

  closeWindow(): void {
    Atomics.store(this.counters, C.WINDOW, 2);
  }

  /** Stops sending, waits for the answers still due, and ends the worker. */
  async stop(): Promise<{ firstError: string | null; counts: WriterCounts }> {
    Atomics.store(this.counters, C.STOP, 1);
    const timeout = new Promise<{ firstError: string | null }>((resolve) =>
      setTimeout(() => resolve({ firstError: 'write load did not stop in time' }), STOP_TIMEOUT_MS).unref(),
    );
    const result = await Promise.race([this.done, timeout]);
    await this.worker.terminate();
    return { firstError: result.firstError, counts: this.counts() };
  }
}
