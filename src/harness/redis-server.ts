// A redis-server of the run's own: a loopback port, its own temp dir, no persistence but the
// BGSAVE under test, DEBUG allowed from loopback (for DEBUG POPULATE). Stopped with SHUTDOWN
// NOSAVE, then SIGKILL if it lingers; BGSAVE children it forked are killed by pid if they
// outlive it. Only processes this module started are ever signalled.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CleanupStack } from './cleanup.js';
import { hasExited, readProcStat } from './proc.js';

export interface RedisServerOptions {
  port: number;
  /** Working dir for the log and the RDB file; the caller owns it. */
  dir: string;
  /** redis.conf disable-thp: `yes` (the default) opts the process out of THP. */
  disableThp: boolean;
  /** @defaultValue 'redis-server' from PATH */
  executable?: string;
  /** @defaultValue 10000 */
  readyTimeoutMs?: number;
}

export class RedisServerError extends Error {}

export class RedisServer {
  readonly logFile: string;
  private readonly forkChildren = new Map<number, number>();

  private constructor(
    private readonly process: ChildProcess,
    readonly pid: number,
    readonly port: number,
    readonly dir: string,
  ) {
    this.logFile = join(dir, 'redis.log');
  }

  static async start(options: RedisServerOptions, cleanup: CleanupStack): Promise<RedisServer> {
    const { port, dir, disableThp, executable = 'redis-server', readyTimeoutMs = 10_000 } = options;
    const args = [
      '--port', String(port),
      '--bind', '127.0.0.1',
      '--save', '',
      '--appendonly', 'no',
      '--dir', dir,
      '--logfile', join(dir, 'redis.log'),
      '--daemonize', 'no',
      '--enable-debug-command', 'local',
      '--disable-thp', disableThp ? 'yes' : 'no',
    ]; // prettier-ignore
    const child = spawn(executable, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const spawned = await new Promise<number>((resolve, reject) => {
      child.once('spawn', () => resolve(child.pid!));
      child.once('error', (err) => reject(new RedisServerError(`cannot start ${executable}: ${err.message}`)));
    });
    const server = new RedisServer(child, spawned, port, dir);
    cleanup.add(`stop redis-server pid ${spawned} on port ${port}`, () => server.stop(), () => server.stopSync());
    await server.waitReady(readyTimeoutMs, () => stderr);
    return server;
  }

  get exited(): boolean {
    return this.process.exitCode !== null || this.process.signalCode !== null;
  }

  /** The tail of the server's log, for error messages. */
  logTail(lines = 8): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  private async waitReady(timeoutMs: number, stderr: () => string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exited) {
        throw new RedisServerError(`redis-server exited during start-up on port ${this.port}:\n${this.logTail() || stderr()}`);
      }
      if (await ping(this.port)) return;
      await sleep(50);
    }
    throw new RedisServerError(`redis-server did not answer PING on port ${this.port} within ${timeoutMs} ms:\n${this.logTail()}`);
  }

  /** Remembers a BGSAVE child (with its start time, so a reused pid is never signalled). */
  trackForkChild(pid: number): void {
    const stat = readProcStat(pid);
    if (stat) this.forkChildren.set(pid, stat.startTicks);
  }

  private killForkChildren(): void {
    for (const [pid, startTicks] of this.forkChildren) {
      const stat = readProcStat(pid);
      if (stat && stat.startTicks === startTicks && !hasExited(stat)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  }

  /** SHUTDOWN NOSAVE, SIGKILL after `graceMs`, then any BGSAVE child still around. */
  async stop(graceMs = 5000): Promise<void> {
    if (!this.exited) {
      const exited = new Promise<void>((resolve) => this.process.once('exit', () => resolve()));
      await sendCommand(this.port, ['SHUTDOWN', 'NOSAVE'], 2000).catch(() => undefined);
      const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
      if ((await Promise.race([exited, timer])) === 'timeout' && !this.exited) {
        this.process.kill('SIGKILL');
        await exited;
      }
    }
    this.killForkChildren();
  }

  stopSync(): void {
    if (!this.exited) this.process.kill('SIGKILL');
    this.killForkChildren();
  }
}

function encode(args: string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
}

/** One command on a fresh connection; resolves with the first reply line. */
export function sendCommand(port: number, args: string[], timeoutMs = 1000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let reply = '';
    const done = (err?: Error) => {
      socket.destroy();
      if (err) reject(err);
      else resolve(reply);
    };
    socket.setTimeout(timeoutMs, () => done(new Error(`no reply from port ${port} within ${timeoutMs} ms`)));
    socket.once('connect', () => socket.write(encode(args)));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done();
    });
    socket.once('error', done);
    socket.once('close', () => done());
  });
}

async function ping(port: number): Promise<boolean> {
  try {
    return (await sendCommand(port, ['PING'], 500)).startsWith('+PONG');
  } catch {
    return false;
  }
}
