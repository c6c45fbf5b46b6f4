// Copy-on-write over a dataset of segments: each segment's own model or tracker, fed its share
// of the write commands turned into its write units and bucket writes; pages and faults add up.

import type { CowTracker } from './cow-tracker.js';
import type { SegmentRun } from './dataset.js';
import type { FaultCostModel } from './timeline.js';

/** How one command's writes reach a segment: unit rewrites and bucket writes per command. */
export interface SegmentFeed {
  commandShare: number;
  unitWritesPerCommand: number;
  bucketWritesPerCommand: number;
}

export const feedOf = (s: SegmentRun): SegmentFeed => ({
  commandShare: s.commandShare,
  unitWritesPerCommand: s.unitWritesPerCommand,
  bucketWritesPerCommand: s.bucketWritesPerCommand,
});

/** Overwrites and bucket writes (of inserts and deletes) as each segment receives them. */
function split(feed: SegmentFeed, overwrites: number, bucketWrites: number): { units: number; buckets: number } {
  const commands = overwrites * feed.commandShare;
  return { units: commands * feed.unitWritesPerCommand, buckets: bucketWrites * feed.commandShare + commands * feed.bucketWritesPerCommand };
}

export function compositeTracker(parts: ReadonlyArray<{ feed: SegmentFeed; tracker: CowTracker }>): CowTracker {
  const sum = (f: (t: CowTracker) => number) => parts.reduce((total, p) => total + f(p.tracker), 0);
  return {
    advance(overwrites, bucketWrites, savedFrom, savedTo) {
      for (const { feed, tracker } of parts) {
        const { units, buckets } = split(feed, overwrites, bucketWrites);
        tracker.advance(units, buckets, savedFrom, savedTo);
      }
    },
    copiedPages: () => sum((t) => t.copiedPages()),
    heldPages: () => sum((t) => t.heldPages()),
    faults: () => sum((t) => t.faults()),
  };
}

export function compositeFaultCost(parts: ReadonlyArray<{ feed: SegmentFeed; cost: FaultCostModel }>): FaultCostModel {
  return {
    faultsAt(overwrites) {
      let sum = 0;
      for (const { feed, cost } of parts) sum += cost.faultsAt(overwrites * feed.commandShare * feed.unitWritesPerCommand);
      return sum;
    },
    distinctUnits: (overwrites) => parts.reduce((sum, { feed, cost }) => sum + cost.distinctUnits(split(feed, overwrites, 0).units), 0),
    maxFaultsPerOverwrite: parts.reduce((sum, { feed, cost }) => sum + feed.commandShare * feed.unitWritesPerCommand * cost.maxFaultsPerOverwrite, 0),
  };
}
