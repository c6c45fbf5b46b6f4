// Finding and ending the BGSAVE child of our own redis-server. Redis 7.0 does not name the
// child's pid in INFO; it is the server's one child process (/proc/<pid>/task/<pid>/children).
import type { RedisServer } from './redis-server.js';
import { childPids, hasExited, readProcStat } from './proc.js';

/** The server's live child, polled for up to `timeoutMs` after BGSAVE answered. */
export async function findForkChild(server: RedisServer, timeoutMs = 2000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const live = childPids(server.pid).filter((pid) => {
      const stat = readProcStat(pid);
      return stat !== undefined && !hasExited(stat) && stat.ppid === server.pid;
    });
    if (live.length > 0) {
      server.trackForkChild(live[0]!);
      return live[0]!;
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
