import { describe, expect, it } from 'vitest';
import { parseMemoryStat, parseV1MemoryPath } from './memory-cgroup.js';

describe('memory cgroup files', () => {
  it('finds the memory controller line of /proc/<pid>/cgroup, also when it is co-mounted', () => {
    expect(parseV1MemoryPath('9:name=systemd:/\n4:memory:/process_api/abc\n0::/\n')).toBe('/process_api/abc');
    expect(parseV1MemoryPath('3:cpu,memory:/x\n')).toBe('/x');
    expect(parseV1MemoryPath('0::/\n')).toBeUndefined();
  });

  it('reads memory.stat as numbers and skips what is not a field', () => {
    const stat = parseMemoryStat('cache 5758976\nrss 1708032\nshmem 0\n\nbroken\n');
    expect(stat).toEqual({ cache: 5758976, rss: 1708032, shmem: 0 });
  });
});
