// Facts about the host a run was measured on, recorded with every report (the ground truth's
// `environment` field): kernel, CPUs, memory, load, redis-server version.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, freemem, loadavg, release, totalmem } from 'node:os';
import { PAGE_BYTES } from '../engine/jemalloc.js';
import { round } from '../engine/numbers.js';

export function redisServerVersion(executable = 'redis-server'): string | undefined {
  try {
    return execFileSync(executable, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

function memAvailableBytes(): number {
  try {
    const match = /^MemAvailable:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
    if (match) return Number(match[1]) * 1024;
  } catch {
    // not Linux
  }
  return freemem();
}

export interface HostFacts {
  kernel: string;
  cpus: number;
  cpu_model: string | undefined;
  mem_total_bytes: number;
  mem_available_bytes_at_start: number;
  loadavg_at_start: number[];
  node: string;
  redis_version: string | undefined;
  page_size: number;
}

export function hostFacts(executable?: string): HostFacts {
  return {
    kernel: release(),
    cpus: cpus().length,
    cpu_model: cpus()[0]?.model,
    mem_total_bytes: totalmem(),
    mem_available_bytes_at_start: memAvailableBytes(),
    loadavg_at_start: loadavg().map((l) => round(l, 2)),
    node: process.version,
    redis_version: redisServerVersion(executable),
    page_size: PAGE_BYTES,
  };
}

/** THP counters of /proc/vmstat (thp_fault_alloc, thp_split_pmd, …). */
export function thpVmstat(): Record<string, number> {
  const counters: Record<string, number> = {};
  try {
    for (const line of readFileSync('/proc/vmstat', 'utf8').split('\n')) {
      const [name, value] = line.split(' ');
      if (name?.startsWith('thp_') && value !== undefined) counters[name] = Number(value);
    }
  } catch {
    // not Linux
  }
  return counters;
}
