// forkPageTableBytes against the page tables measured here: BGSAVE children's VmPTE
// (test/fixtures/page-table-probe.txt, validation/page-table-probe.sh) and the kernel memory a
// cgroup was charged at each fork of the container runs (test/fixtures/container/).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { forkPageTableBytes } from '../src/engine/page-tables.js';
import type { CgroupSample } from '../validation/cgroup-probe.js';

const KiB = 1024;
const fixture = (path: string) => readFileSync(new URL(`./fixtures/${path}`, import.meta.url), 'utf8');
const runs = Object.fromEntries(
  ['disk-fsync', 'disk-no-fsync', 'tmpfs', 'disk-limit'].map((name) => [name, JSON.parse(fixture(`container/${name}.json`)) as { series: CgroupSample[] }]),
);

describe('the page tables a fork copies', () => {
  const probe = fixture('page-table-probe.txt')
    .split('\n')
    .filter((line) => line.trim() && !line.startsWith('#'))
    .map((line) => {
      const [mode, keys, , anon, huge, , child] = line.split(' ');
      return { mode: mode!, keys: Number(keys), anonBytes: Number(anon), hugeBytes: Number(huge), childVmPteBytes: Number(child) };
    });

  it('the probe ran both page sizes at three sizes', () => {
    expect(probe.length).toBe(13);
    expect(probe.filter((p) => p.mode === 'huge').every((p) => p.hugeBytes > 0.8 * p.anonBytes || p.keys === 1)).toBe(true);
    expect(probe.filter((p) => p.mode === 'small').every((p) => p.hugeBytes === 0)).toBe(true);
  });

  // Within 8 tables: runs of one size differ by 3 (where the mappings fall against 2 MiB bounds).
  it.each(probe)('$mode pages, $keys keys: the child’s VmPTE within 32 KiB', (p) => {
    const model = forkPageTableBytes({ smallMappedBytes: p.anonBytes - p.hugeBytes, hugeMappedBytes: p.hugeBytes });
    expect(Math.abs(model - p.childVmPteBytes)).toBeLessThanOrEqual(32 * KiB);
    if (p.keys >= 1e6) expect(Math.abs(model - p.childVmPteBytes) / p.childVmPteBytes).toBeLessThan(0.01);
  });

  it('huge pages do not shrink them: the same child VmPTE for the same data', () => {
    for (const keys of [247_448, 1_000_000]) {
      const small = probe.filter((p) => p.keys === keys && p.mode === 'small').map((p) => p.childVmPteBytes);
      const huge = probe.filter((p) => p.keys === keys && p.mode === 'huge').map((p) => p.childVmPteBytes);
      expect(Math.abs(Math.max(...huge) - Math.max(...small)) / Math.max(...small)).toBeLessThan(0.02);
    }
  });

  it.each(Object.entries(runs))('%s: the cgroup’s kernel memory jumps at the fork by the page tables and up to 128 KiB of the child’s other kernel objects', (_, run) => {
    const before = run.series.filter((s) => s.child_pid === null && s.t_s < 0).at(-1)!;
    const first = run.series.find((s) => s.child_pid !== null)!;
    const jump = first.kmem_usage_bytes! - before.kmem_usage_bytes!;
    const tables = forkPageTableBytes({ smallMappedBytes: before.rss, hugeMappedBytes: 0 });
    expect(jump).toBeGreaterThan(tables);
    expect(jump).toBeLessThan(tables + 128 * KiB);
  });
});
