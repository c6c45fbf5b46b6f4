import { fc, test as fcTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { forkPageTableBytes } from './page-tables.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
const bare = (small: number, huge: number) => forkPageTableBytes({ smallMappedBytes: small, hugeMappedBytes: huge, otherMappingsBytes: 0 });

describe('forkPageTableBytes', () => {
  it('one 4 KiB PTE table per 2 MiB, a PMD table per GiB, a PUD table per 512 GiB', () => {
    expect(bare(2 * MiB, 0)).toBe(3 * 4 * KiB);
    expect(bare(1 * GiB, 0)).toBe((512 + 1 + 1) * 4 * KiB);
    expect(bare(1 * GiB + 1, 0)).toBe((513 + 2 + 1) * 4 * KiB);
    // redis-doc latency.md: 24 GB of 4 KiB pages take 48 MB of page tables.
    expect(bare(24e9, 0) / 24e9).toBeCloseTo(8 / 4096, 5);
  });

  it('huge pages need the same tables: copy_huge_pmd deposits a PTE table for each', () => {
    expect(bare(0, 1 * GiB)).toBe(bare(1 * GiB, 0));
  });

  it('adds the rest of the process', () => {
    expect(forkPageTableBytes({ smallMappedBytes: 0, hugeMappedBytes: 0 })).toBe(68 * KiB);
  });

  fcTest.prop([fc.nat({ max: 2 ** 40 }), fc.nat({ max: 2 ** 40 })])('about 8 bytes per 4 KiB mapped, never less', (small, huge) => {
    const bytes = bare(small, huge);
    expect(bytes).toBeGreaterThanOrEqual(((small + huge) / 4096) * 8);
    expect(bytes).toBeLessThanOrEqual(((small + huge) / 4096) * 8 * 1.003 + 4 * 4 * KiB);
  });
});
