// fork() time: a fixed cost plus, per GiB mapped, the cost of copying page-table entries —
// PTEs for 4 KiB pages, PMDs for huge pages — where an entry still writable (its page was
// written since the previous fork, or there was none) costs more than one an earlier fork
// already write-protected: the parent's copy must be write-protected too (kernel tables).
// Which pages are writable follows from the writes since the previous fork, through the same
// page occupancy as copy-on-write: a page is written once any key on it was.
// On huge pages (Linux ≥ 5.8) a write while the previous child lived split the PMD of the huge
// page it hit, which stays mapped by 512 PTEs until khugepaged rebuilds it (kernel tables §2, §6).

import { ExpectedCow } from './cow-expected.js';
import { PAGE_BYTES } from './jemalloc.js';
import type { DatasetRun } from './dataset.js';
import { resolveRun, type ResolvedRun } from './resolve.js';
import { distinctShare } from './write-mix.js';
import type { Scenario } from '../schemas/scenario.js';

const GiB = 2 ** 30;
/**
 * khugepaged's defaults scan 4096 pages every 10 s, so at most 8 huge pages (16 MiB) are
 * rebuilt per 10 s; the kernel tables measured exactly that (§6).
 */
export const KHUGEPAGED_COLLAPSE_BYTES_PER_SEC = (4096 * PAGE_BYTES) / 10;

export interface ForkCost {
  forkUsec: number;
  /** Share of the mapped memory whose page-table entries were writable at fork. */
  writableShare: number;
  /** Share of RSS still mapped by huge pages at fork (after splits by the previous snapshot). */
  hugePageCoverage: number;
}

interface WrittenShare {
  /** Share of the heap's 4 KiB pages written. */
  small: number;
  /** Share of the heap in huge pages with at least one write. */
  huge: number;
}

/** Which pages a write touches, counted once however often written (no dismiss). */
interface TouchModels {
  small: ExpectedCow;
  /** Huge pages touched; absent when the process runs on 4 KiB pages. */
  huge: ExpectedCow | undefined;
}

/** Share of the heap the scenario's write load touches in `writes` writes. */
function writtenShare(run: ResolvedRun, models: TouchModels, writes: number): WrittenShare {
  if (writes <= 0) return { small: 0, huge: 0 };
  if (run.dataset !== null) return segmentsWrittenShare(run, run.dataset, writes);
  const mix = run.writeMix;
  const q = distinctShare(mix, writes * mix.overwriteShare);
  const buckets = writes * mix.bucketShare;
  // Inserted keys land on fresh pages, writable from their first touch.
  const insertedPages = (writes * mix.insertShare * run.layout.perKeyUsableBytes) / PAGE_BYTES;
  const share = (model: ExpectedCow) =>
    Math.min(1, (model.persistentCopiedPages(q, mix.sequential) + model.dictCopiedPages(buckets) + insertedPages) / run.layout.heapPages);
  return { small: share(models.small), huge: models.huge ? share(models.huge) : 0 };
}

/** A dataset of segments: each segment's touched pages from its share of the writes, over the whole heap. */
function segmentsWrittenShare(run: ResolvedRun, dataset: DatasetRun, writes: number): WrittenShare {
  const mix = run.writeMix;
  let small = 0;
  let huge = 0;
  for (const s of dataset.segments) {
    const commands = writes * s.commandShare;
    const q = distinctShare(s.writeMix, commands * mix.overwriteShare * s.unitWritesPerCommand);
    const buckets = commands * (mix.bucketShare + mix.overwriteShare * s.bucketWritesPerCommand);
    const touched = (model: ExpectedCow) => model.persistentCopiedPages(q, s.writeMix.sequential) + model.dictCopiedPages(buckets);
    small += touched(new ExpectedCow(s.layout, { dismiss: false, copyHugePages: false }));
    if (run.hugePagesActive) huge += touched(new ExpectedCow(s.layout, { dismiss: false, copyHugePages: true }));
  }
  const inserted = (writes * mix.insertShare * run.layout.perKeyUsableBytes) / PAGE_BYTES;
  const heap = run.layout.heapPages;
  return { small: Math.min(1, (small + inserted) / heap), huge: run.hugePagesActive ? Math.min(1, (huge + inserted) / heap) : 0 };
}

export function forkCost(run: ResolvedRun): ForkCost {
  const { secondsSince: since, childSec } = run.previousFork;
  const writesPerSec = run.load.writesPerSec;
  const models: TouchModels = {
    small: new ExpectedCow(run.layout, { dismiss: false, copyHugePages: false }),
    huge: run.hugePagesActive ? new ExpectedCow(run.layout, { dismiss: false, copyHugePages: true }) : undefined,
  };
  const written = since === 'none' ? { small: 1, huge: 1 } : writtenShare(run, models, writesPerSec * since);

  // Huge pages the previous snapshot's writes split, less what khugepaged rebuilt since.
  let splitBytes = 0;
  if (since !== 'none' && run.hugePagesActive && !run.copyHugePages) {
    const split = writtenShare(run, models, writesPerSec * childSec).huge * run.hugeMappedBytes;
    splitBytes = Math.max(0, split - KHUGEPAGED_COLLAPSE_BYTES_PER_SEC * (since - childSec));
  }
  const smallGiB = (run.smallMappedBytes + splitBytes) / GiB;
  const hugeGiB = (run.hugeMappedBytes - splitBytes) / GiB;

  const c = run.forkCosts;
  // Memory outside the heap (binary data, stacks, allocator metadata) is written as the heap is.
  const forkUsec =
    c.fixedUsec +
    smallGiB * (c.wpUsecPerGiB + written.small * (c.writableUsecPerGiB - c.wpUsecPerGiB)) +
    hugeGiB * (c.hugeWpUsecPerGiB + written.huge * (c.hugeWritableUsecPerGiB - c.hugeWpUsecPerGiB));
  const mapped = smallGiB + hugeGiB;
  return {
    forkUsec,
    writableShare: mapped > 0 ? (smallGiB * written.small + hugeGiB * written.huge) / mapped : 0,
    hugePageCoverage: mapped > 0 ? hugeGiB / mapped : 0,
  };
}

/** Share of a scenario's mapped memory whose page-table entries are writable at its fork. */
export function forkWritableShare(scenario: Scenario): number {
  return forkCost(resolveRun(scenario)).writableShare;
}
