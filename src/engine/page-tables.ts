// The page tables fork() builds for the child (x86-64, 4-level paging), memory charged to the
// cgroup as kernel memory (page tables are allocated with __GFP_ACCOUNT) for the child's life.
//
// Linux `mm/memory.c` copy_page_range copies the tables of every mapping a page fault could not
// refill — private anonymous ones with an anon_vma, i.e. the whole Redis heap; file mappings
// nobody wrote are skipped. Per 2 MiB of heap the child gets one 4 KiB PTE table (512 8-byte
// entries); per 1 GiB one PMD table; per 512 GiB one PUD table. A transparent huge page is a
// single PMD entry, but `mm/huge_memory.c` copy_huge_pmd allocates and deposits a PTE table for
// each one anyway (pte_alloc_one + pgtable_trans_huge_deposit, so a later split cannot fail):
// huge pages make fork copy 512× fewer entries, not use less memory.
//
// Tables follow the mapped span, not the resident bytes: pages given back with MADV_DONTNEED
// leave their tables in place. A heap spread over many regions needs more than this.
// Measured here (test/fixtures/page-table-probe.txt, the child's VmPTE of 1 KiB-value datasets
// of 0.34 and 1.37 GB on 4 KiB and on huge pages): within 24 KiB of it, under 1% at 1.37 GB.
import { HUGE_PAGE_BYTES, PAGE_BYTES } from './jemalloc.js';

/** One page-table page: 512 entries of 8 bytes. */
const TABLE_BYTES = PAGE_BYTES;
/** What one PMD table maps: 512 × 2 MiB. */
const PMD_TABLE_SPAN_BYTES = 512 * HUGE_PAGE_BYTES;
/** What one PUD table maps: 512 × 1 GiB. */
const PUD_TABLE_SPAN_BYTES = 512 * PMD_TABLE_SPAN_BYTES;

/**
 * The tables of everything in a redis-server but its data — binary and library data, stacks,
 * the threads' arenas, each in its own 2 MiB region: 17 pages, the mean of what a 7.0.15 child
 * of a one-key server had beyond its heap's own tables (VmPTE 84–92 KiB, page-table-probe.txt).
 */
export const DEFAULT_OTHER_MAPPINGS_PAGE_TABLE_BYTES = 17 * TABLE_BYTES;

export interface ForkPageTableOptions {
  /** Heap mapped with 4 KiB pages. */
  smallMappedBytes: number;
  /** Heap mapped with 2 MiB transparent huge pages. */
  hugeMappedBytes: number;
  /** @defaultValue DEFAULT_OTHER_MAPPINGS_PAGE_TABLE_BYTES */
  otherMappingsBytes?: number;
}

/** The child's page tables right after fork: what /proc/<child>/status VmPTE shows (no PGD). */
export function forkPageTableBytes(options: ForkPageTableOptions): number {
  const { smallMappedBytes, hugeMappedBytes, otherMappingsBytes = DEFAULT_OTHER_MAPPINGS_PAGE_TABLE_BYTES } = options;
  if (!(smallMappedBytes >= 0) || !(hugeMappedBytes >= 0) || !(otherMappingsBytes >= 0)) throw new RangeError('mapped bytes must be ≥ 0');
  const mapped = smallMappedBytes + hugeMappedBytes;
  const pteTables = Math.ceil(smallMappedBytes / HUGE_PAGE_BYTES) + Math.ceil(hugeMappedBytes / HUGE_PAGE_BYTES);
  const pmdTables = Math.ceil(mapped / PMD_TABLE_SPAN_BYTES);
  const pudTables = Math.ceil(mapped / PUD_TABLE_SPAN_BYTES);
  return (pteTables + pmdTables + pudTables) * TABLE_BYTES + otherMappingsBytes;
}
