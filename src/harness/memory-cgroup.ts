// A child memory cgroup of the run's own, under the cgroup this process is in, so a
// redis-server and the BGSAVE children it forks are charged apart from everything else. cgroup
// v1 (Documentation/admin-guide/cgroup-v1/memory.rst): memory.usage_in_bytes counts the anon
// and the page cache charged to the group, memory.stat splits it (cache, rss, shmem, dirty, …),
// and a task moved in takes only its future charges along (move_charge_at_immigrate is 0).
// Pages are charged to the group of the task that first touches them, so the RDB file a child
// of the group writes is charged to it. Only v1 is handled: on this kind of host the cgroup2
// hierarchy has no memory controller.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CleanupStack } from './cleanup.js';

export const V1_MEMORY_ROOT = '/sys/fs/cgroup/memory';
export const V2_ROOT = '/sys/fs/cgroup/unified';

/** memory.stat fields recorded with every sample, bytes. */
export const V1_STAT_FIELDS = [
  'cache', 'rss', 'rss_huge', 'shmem', 'mapped_file', 'dirty', 'writeback',
  'active_anon', 'inactive_anon', 'active_file', 'inactive_file', 'pgmajfault',
] as const; // prettier-ignore
export type V1StatField = (typeof V1_STAT_FIELDS)[number];

export function parseMemoryStat(text: string): Record<string, number> {
  const fields: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const [name, value] = line.trim().split(/\s+/);
    if (name && value !== undefined && /^\d+$/.test(value)) fields[name] = Number(value);
  }
  return fields;
}

/** The v1 memory cgroup path of a process, from /proc/<pid>/cgroup (`4:memory:/a/b`). */
export function parseV1MemoryPath(procCgroup: string): string | undefined {
  for (const line of procCgroup.split('\n')) {
    const [, controllers, path] = /^\d+:([^:]*):(.*)$/.exec(line.trim()) ?? [];
    if (controllers?.split(',').includes('memory')) return path;
  }
  return undefined;
}

/** Controllers cgroup2 offers at its root (empty when it runs none, or is not mounted). */
export function v2Controllers(root = V2_ROOT): string[] {
  try {
    return readFileSync(join(root, 'cgroup.controllers'), 'utf8').trim().split(/\s+/).filter(Boolean);
  } catch {
    return [];
  }
}

export interface MemoryCgroupSample {
  usage_bytes: number;
  /** memory.kmem.usage_in_bytes: slab, page tables, … — also charged to usage_in_bytes. */
  kmem_usage_bytes: number | null;
  stat: Record<V1StatField, number>;
}

export class MemoryCgroup {
  private constructor(readonly path: string) {}

  /**
   * Makes `<own cgroup>/<name>`; removal (after its tasks are gone) is put on `cleanup`.
   * Refuses to reuse a directory that exists: it would be someone else's.
   */
  static create(name: string, cleanup: CleanupStack): MemoryCgroup {
    const own = parseV1MemoryPath(readFileSync('/proc/self/cgroup', 'utf8'));
    if (own === undefined || !existsSync(join(V1_MEMORY_ROOT, 'memory.stat'))) {
      throw new Error(`no cgroup v1 memory controller at ${V1_MEMORY_ROOT}`);
    }
    const path = join(V1_MEMORY_ROOT, own, name);
    if (existsSync(path)) throw new Error(`${path} exists already`);
    mkdirSync(path);
    const group = new MemoryCgroup(path);
    cleanup.add(`remove cgroup ${path}`, () => group.remove(), () => group.removeSync());
    return group;
  }

  private read(file: string): string {
    return readFileSync(join(this.path, file), 'utf8');
  }

  private write(file: string, value: string): void {
    writeFileSync(join(this.path, file), value);
  }

  /** Moves one process, all its threads, into the group; nothing else. */
  adopt(pid: number): void {
    this.write('cgroup.procs', String(pid));
  }

  tasks(): number[] {
    return this.read('cgroup.procs').split('\n').filter(Boolean).map(Number);
  }

  setLimitBytes(bytes: number): void {
    this.write('memory.limit_in_bytes', String(bytes));
  }

  limitBytes(): number {
    return Number(this.read('memory.limit_in_bytes').trim());
  }

  /** Restarts memory.max_usage_in_bytes from the current usage. */
  resetMaxUsage(): void {
    this.write('memory.max_usage_in_bytes', '0');
  }

  counters(): { max_usage_bytes: number; failcnt: number; oom_kill: number | null; under_oom: number | null } {
    const oom = parseMemoryStat(this.read('memory.oom_control'));
    return {
      max_usage_bytes: Number(this.read('memory.max_usage_in_bytes').trim()),
      failcnt: Number(this.read('memory.failcnt').trim()),
      oom_kill: oom.oom_kill ?? null,
      under_oom: oom.under_oom ?? null,
    };
  }

  sample(): MemoryCgroupSample {
    const usage = Number(this.read('memory.usage_in_bytes').trim());
    const all = parseMemoryStat(this.read('memory.stat'));
    const stat = {} as Record<V1StatField, number>;
    for (const field of V1_STAT_FIELDS) stat[field] = all[field] ?? 0;
    let kmem: number | null = null;
    try {
      kmem = Number(this.read('memory.kmem.usage_in_bytes').trim());
    } catch {
      // a kernel built without kmem accounting
    }
    return { usage_bytes: usage, kmem_usage_bytes: kmem, stat };
  }

  /** rmdir once the tasks have left (a process that exited leaves by itself). */
  async remove(timeoutMs = 5000): Promise<void> {
    if (!existsSync(this.path)) return;
    const deadline = Date.now() + timeoutMs;
    while (this.tasks().length > 0) {
      if (Date.now() > deadline) throw new Error(`tasks still in ${this.path}: ${this.tasks().join(' ')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    rmdirSync(this.path);
  }

  removeSync(): void {
    if (!existsSync(this.path)) return;
    try {
      rmdirSync(this.path);
    } catch {
      // tasks not gone yet: the directory is named in the error the orderly removal gave
    }
  }
}
