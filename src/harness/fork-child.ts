// Finding and ending the BGSAVE child of our own redis-server. Redis 7.0 does not name the
// child's pid in INFO; it is the server's one child process (/proc/<pid>/task/<pid>/children).
import type { RedisServer } from './redis-server.js';
import { childPids, hasExited, readProcStat } from './proc.js';

/** The live child of process `pid` (a fork child of redis-server), if one runs now. */
export function liveChild(pid: number): number | undefined {
  return childPids(pid).find((child) => {
    const stat = readProcStat(child);
    return stat !== undefined && !hasExited(stat) && stat.ppid === pid;
  });
}

/** The server's live child, polled for up to `timeoutMs` after BGSAVE answered. */
export async function findForkChild(server: RedisServer, timeoutMs = 2000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const live = liveChild(server.pid);
    if (live !== undefined) {
      server.trackForkChild(live);
      return live;
    }
    if (Date.now() > deadline) throw new Error(`no BGSAVE child of redis-server pid ${server.pid} appeared within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/**
 * Ends a save early: SIGUSR1 is the signal Redis itself uses to kill its child, and the parent
 * then does not count the save as failed (src/server.c checkChildrenDone).
 */
export function abortForkChild(server: RedisServer, pid: number): void {
  const stat = readProcStat(pid);
  if (stat && stat.ppid === server.pid && !hasExited(stat)) process.kill(pid, 'SIGUSR1');
}
