// fork() time: a fixed cost plus, per GiB mapped, the cost of copying page-table entries —
// PTEs for 4 KiB pages, PMDs for huge pages — where an entry still writable (its page was
// written since the previous fork, or there was none) costs more than one an earlier fork
// already write-protected: the parent's copy must be write-protected too (kernel tables).
// Which pages are writable follows from the writes since the previous fork, through the same
// page occupancy as copy-on-write: a page is written once any key on it was.

import { ExpectedCow } from './cow-expected.js';
import { PAGE_BYTES } from './jemalloc.js';
import { expectedDistinctKeys } from './key-distribution.js';
import type { ResolvedRun } from './resolve.js';
import type { Scenario } from '../schemas/scenario.js';

const GiB = 2 ** 30;

export interface ForkCost {
  forkUsec: number;
  /** Share of the mapped memory whose page-table entries were writable at fork. */
  writableShare: number;
}

/** Share of the heap written in `seconds` of the scenario's write load before the fork. */
export function writtenShareBefore(run: ResolvedRun, workload: Scenario['workload'], seconds: number | 'none'): { small: number; huge: number } {
  if (seconds === 'none') return { small: 1, huge: 1 };
  const writes = workload.writesPerSec * seconds;
  if (writes <= 0) return { small: 0, huge: 0 };
  const heapPages = run.layout.heapPages;
  const dist = workload.keyDistribution;
  const sequential = dist.type === 'sequential';
  const overwrites = writes * (1 - workload.newKeyFraction - workload.deleteFraction);
  const q = sequential ? Math.min(1, overwrites / run.keys) : expectedDistinctKeys(dist, run.keys, overwrites) / run.keys;
  const buckets = writes * (workload.newKeyFraction + workload.deleteFraction);
  // Inserted keys land on fresh pages, writable from their first touch.
  const perKeyBytes = run.layout.allocations.reduce((s, a) => s + a.usableBytes, 0);
  const insertedPages = (writes * workload.newKeyFraction * perKeyBytes) / PAGE_BYTES;
  const share = (copyHugePages: boolean) => {
    const model = new ExpectedCow(run.layout, { dismiss: false, copyHugePages });
    const pages = model.persistentCopiedPages(q, sequential) + model.dictCopiedPages(buckets) + insertedPages;
    return Math.min(1, pages / heapPages);
  };
  return { small: share(false), huge: run.hugePagesActive ? share(true) : 0 };
}

export function forkCost(run: ResolvedRun, scenario: Scenario): ForkCost {
  const written = writtenShareBefore(run, scenario.workload, scenario.snapshot.secondsSincePreviousFork);
  const c = run.forkCosts;
  const smallGiB = run.smallMappedBytes / GiB;
  const hugeGiB = run.hugeMappedBytes / GiB;
  // Memory outside the heap (binary data, stacks, allocator metadata) is written as the heap is.
  const forkUsec =
    c.fixedUsec +
    smallGiB * (c.wpUsecPerGiB + written.small * (c.writableUsecPerGiB - c.wpUsecPerGiB)) +
    hugeGiB * (c.hugeWpUsecPerGiB + written.huge * (c.hugeWritableUsecPerGiB - c.hugeWpUsecPerGiB));
  const mapped = smallGiB + hugeGiB;
  const writableShare = mapped > 0 ? (smallGiB * written.small + hugeGiB * written.huge) / mapped : 0;
  return { forkUsec, writableShare };
}
