// A forkcast server as it runs in production — `src/main-server.ts` without workers beside a
// `src/main-worker.ts` process, on the real Redis under a fresh key prefix — and the
// `forkcast` command run against it as a script would run it.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { deleteKeys, randomPrefix, REDIS_URL, until } from '../queue/support.js';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/forkcast.mjs', import.meta.url));

export interface Started {
  url: string;
  prefix: string;
  stop(): Promise<void>;
}

function spawnEntry(entry: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: REPO_ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', SHUTDOWN_TIMEOUT_MS: '5000', RESULT_TTL_SEC: '600', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr!.resume();
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 8000);
  await exited;
  clearTimeout(timer);
}

/** The API on `port` (WORKERS=0) and, unless `workers` is 0, worker processes on the same prefix. */
export async function startServer(port: number, { redisUrl = REDIS_URL, workers = 1, env = {} as Record<string, string> } = {}): Promise<Started> {
  const prefix = randomPrefix();
  const common = { REDIS_URL: redisUrl, QUEUE_PREFIX: prefix, ...env };
  const children = [spawnEntry('src/main-server.ts', { ...common, PORT: String(port), HOST: '127.0.0.1', WORKERS: '0' })];
  for (let i = 0; i < workers; i++) children.push(spawnEntry('src/main-worker.ts', { ...common, WORKER_CONCURRENCY: '1' }));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await Promise.all(children.map(stopChild));
    if (redisUrl === REDIS_URL) await deleteKeys(prefix, redisUrl);
  };
  try {
    await until(
      async () => {
        if (children[0]!.exitCode !== null) throw new Error(`the server on port ${port} exited with ${children[0]!.exitCode}`);
        try {
          return (await fetch(`${url}/readyz`)).ok ? true : undefined;
        } catch {
          return undefined;
        }
      },
      30_000,
      `the server on port ${port}`,
      200,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, prefix, stop };
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `forkcast ARGS…` with FORKCAST_SERVER set to `server` (unless `--server` is among the args). */
export function forkcast(server: string | undefined, args: string[], { stdin }: { stdin?: string } = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const env = { ...process.env };
    if (server === undefined) delete env.FORKCAST_SERVER;
    else env.FORKCAST_SERVER = server;
    const child = execFile(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, env, maxBuffer: 64 * 2 ** 20 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? 1) : 0;
      resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
    });
    child.stdin!.end(stdin ?? '');
  });
}

/** `forkcast ARGS… | head -c BYTES` in bash: the command's own exit status and standard error. */
export function forkcastIntoHead(server: string, args: string[], bytes: number): Promise<CliRun> {
  const quoted = [process.execPath, BIN, ...args].map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve) => {
    execFile(
      'bash',
      ['-c', `err=$(mktemp); ${quoted} 2>"$err" | head -c ${bytes}; status=\${PIPESTATUS[0]}; cat "$err" >&2; rm -f "$err"; exit $status`],
      { cwd: REPO_ROOT, env: { ...process.env, FORKCAST_SERVER: server } },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}
