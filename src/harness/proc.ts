// Reading processes through /proc (proc(5)): smaps_rollup for the child's Private_Dirty — the
// true copy-on-write size, which Redis's own INFO reports late (MODEL.md §2) — and stat for
// state, fault counts and CPU time. Parsers are pure; readers return undefined once the
// process is gone.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { PAGE_BYTES } from '../engine/jemalloc.js';

/** smaps_rollup fields in bytes (the file gives kB). */
export type SmapsRollup = Record<string, number>;

export function parseSmapsRollup(text: string): SmapsRollup {
  const fields: SmapsRollup = {};
  for (const line of text.split('\n')) {
    const match = /^(\w+):\s+(\d+)\s*kB/.exec(line);
    if (match) fields[match[1]!] = Number(match[2]) * 1024;
  }
  return fields;
}

export interface ProcStat {
  pid: number;
  /** R, S, D, Z (zombie: exited, not yet reaped), … */
  state: string;
  ppid: number;
  minflt: number;
  majflt: number;
  utimeSec: number;
  stimeSec: number;
  /** Clock ticks after boot. */
  startTicks: number;
  rssBytes: number;
}

let clockTicks: number | undefined;

/** sysconf(_SC_CLK_TCK); 100 on every mainstream Linux build. */
export function clockTicksPerSec(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

export function parseProcStat(text: string, ticksPerSec = 100): ProcStat {
  // comm (field 2) may hold spaces and parentheses: fields resume after the last ')'.
  const close = text.lastIndexOf(')');
  if (close < 0) throw new Error('malformed /proc/<pid>/stat');
  const pid = Number(text.slice(0, text.indexOf(' ')));
  const f = text.slice(close + 2).trim().split(/\s+/);
  const field = (n: number) => Number(f[n - 3]);
  return {
    pid,
    state: f[0]!,
    ppid: field(4),
    minflt: field(10),
    majflt: field(12),
    utimeSec: field(14) / ticksPerSec,
    stimeSec: field(15) / ticksPerSec,
    startTicks: field(22),
    rssBytes: field(24) * PAGE_BYTES,
  };
}

function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ESRCH') return undefined;
    throw err;
  }
}

export function readProcStat(pid: number): ProcStat | undefined {
  const text = readOptional(`/proc/${pid}/stat`);
  return text === undefined ? undefined : parseProcStat(text, clockTicksPerSec());
}

/** smaps_rollup of a live process; undefined for a process gone or a zombie (empty file). */
export function readSmapsRollup(pid: number): SmapsRollup | undefined {
  const text = readOptional(`/proc/${pid}/smaps_rollup`);
  if (text === undefined || text.trim() === '') return undefined;
  return parseSmapsRollup(text);
}

/** Direct children of a process (needs CONFIG_PROC_CHILDREN; falls back to scanning /proc). */
export function childPids(pid: number): number[] {
  const listed = readOptional(`/proc/${pid}/task/${pid}/children`);
  if (listed !== undefined) return listed.split(/\s+/).filter(Boolean).map(Number);
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((candidate) => readProcStat(candidate)?.ppid === pid);
}

/** The process behind `stat` has exited: a zombie not yet reaped, or dead. */
export function hasExited(stat: ProcStat): boolean {
  return stat.state === 'Z' || stat.state === 'X';
}

/** The process exists and has not exited (a zombie has). */
export function isRunning(pid: number): boolean {
  const stat = readProcStat(pid);
  return stat !== undefined && !hasExited(stat);
}

/** `THP_enabled:` from /proc/<pid>/status (Linux ≥ 5.0): 1 unless prctl disabled THP. */
export function readThpEnabled(pid: number): number | null {
  const text = readOptional(`/proc/${pid}/status`);
  const match = text === undefined ? null : /^THP_enabled:\s+(\d+)/m.exec(text);
  return match ? Number(match[1]) : null;
}
