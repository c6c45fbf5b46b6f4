// Keys that expire while a child lives: Redis does not pause expiry for a fork (`src/server.c`
// databasesCron runs activeExpireCycle outside its no-child block), so due keys are deleted
// and their deletes copy pages even with no writes at all. When they go is the active expire
// cycle's business (active-expire.ts, validation/EXPIRY.md); what a delete copies is the
// dictionaries' pages, never the key's own (`src/dict.c` dictGenericDelete writes the bucket
// slot, or the `next` of the entry in front of the key in its chain, in the main and the
// expires dict; jemalloc's free writes only its per-slab metadata). Measured copies lie within,
// or at most 5% above, that structural sum (test/expiry-fixtures.test.ts).

import { activeExpire } from './active-expire.js';
import type { DatasetRun } from './dataset.js';
import { PAGE_BYTES, sizeClass, slabGeometry } from './jemalloc.js';
import { DICT_ENTRY_BYTES, EDATA_BYTES, dictBuckets } from './layout.js';

export interface ExpiryModel {
  /** Keys the cycle has deleted by t, since the first fork. */
  expiredBy(tSec: number): number;
  /**
   * Pages the deletes of `expired` keys copy in a child forked before them: in the dictionaries'
   * bucket arrays (which overwrites never write), among the main dictionary's entries (which
   * overwrites also write), and in jemalloc's slab metadata.
   */
  pagesFor(expired: number): { bucketPages: number; entryPages: number; metadataPages: number };
}

export interface ExpiryOptions {
  dataset: DatasetRun;
  /** The segments' TTLs as given: share of keys and their remaining lifetimes at the fork. */
  ttls: ReadonlyArray<{ share: number; fromSec: number; toSec: number } | null>;
  hz: number;
  horizonSec: number;
}

const touched = (pages: number, writes: number) => (pages > 0 ? pages * (1 - Math.exp(-writes / pages)) : 0);
/** A key is its chain's head with chance (1 − e^−α)/α at load α (a chain's head is its newest). */
const notHead = (alpha: number) => (alpha > 0 ? 1 - (1 - Math.exp(-alpha)) / alpha : 0);

/** Deletes that write the `next` of a predecessor rather than a bucket slot, as the dict empties. */
function predecessorWrites(present: number, slots: number, expired: number): number {
  const steps = 50;
  let sum = 0;
  for (let i = 0; i < steps; i++) sum += notHead((present - ((i + 0.5) / steps) * expired) / slots);
  return (sum / steps) * expired;
}

/** The expiry of a dataset's keys with TTLs, or null when none has one. */
export function datasetExpiry(options: ExpiryOptions): ExpiryModel | null {
  const { dataset, ttls } = options;
  const withTtl = dataset.segments.reduce((sum, s, i) => sum + s.keys * (ttls[i]?.share ?? 0), 0);
  if (withTtl < 1) return null;
  // Due times: each segment's uniform spread, mixed by its keys' share of the expires dict.
  const spans = dataset.segments.flatMap((s, i) => {
    const ttl = ttls[i];
    return ttl && ttl.share > 0 ? [{ weight: (s.keys * ttl.share) / withTtl, from: ttl.fromSec, to: ttl.toSec }] : [];
  });
  const dueShare = (t: number) => spans.reduce((sum, s) => sum + s.weight * Math.min(1, Math.max(0, (t - s.from) / (s.to - s.from))), 0);
  const grid = 256;
  const end = Math.max(options.horizonSec, ...spans.map((s) => s.to));
  const points = Array.from({ length: grid + 1 }, (_, i): [number, number] => {
    const t = (end * i) / grid;
    return [t, dueShare(t)];
  });
  const run = activeExpire({
    keysWithTtl: Math.round(withTtl),
    due: { type: 'cdf', points },
    horizonSec: options.horizonSec,
    hz: options.hz,
    keys: dataset.keys,
  });
  const curve = run.points;
  const expiredBy = (t: number) => {
    if (curve.length === 0 || t <= curve[0]!.tSec) return 0;
    for (let i = 1; i < curve.length; i++) {
      const b = curve[i]!;
      if (t <= b.tSec) {
        const a = curve[i - 1]!;
        return a.expiredKeys + ((b.expiredKeys - a.expiredKeys) * (t - a.tSec)) / (b.tSec - a.tSec);
      }
    }
    return curve.at(-1)!.expiredKeys;
  };

  const keys = dataset.keys;
  // Keys due within the first serverCron period are a backlog at the fork.
  const notDueAtFork = 1 - dueShare(1 / options.hz);
  const mainSlots = dictBuckets(keys);
  const expiresSlots = dictBuckets(Math.round(withTtl));
  const entryClass = sizeClass(DICT_ENTRY_BYTES);
  const slabs = dataset.segments.reduce((sum, s) => sum + s.layout.smallClasses.reduce((n, c) => n + c.slabs, 0), 0) + Math.ceil(withTtl / slabGeometry(entryClass).regionsPerSlab);
  const allocationsPerKey = dataset.segments.reduce((sum, s) => sum + (s.keys / keys) * s.layout.allocations.length * (s.units / s.keys), 0) + 1;
  const pagesFor = (expired: number) => {
    if (expired <= 0) return { bucketPages: 0, entryPages: 0, metadataPages: 0 };
    const mainPred = predecessorWrites(keys, mainSlots, expired);
    // The cycle deletes a chain's due keys head first: the expires dict's predecessors are
    // written only where a key in front is not due yet — never in a backlog due at the fork.
    const expiresPred = predecessorWrites(withTtl, expiresSlots, expired) * notDueAtFork;
    const bucketPages = touched((mainSlots * 8) / PAGE_BYTES, expired - mainPred) + touched((expiresSlots * 8) / PAGE_BYTES, expired - expiresPred);
    const entryPages = touched((keys * entryClass) / PAGE_BYTES, mainPred) + touched((withTtl * entryClass) / PAGE_BYTES, expiresPred);
    // One edata_t per slab: a page of them is written once any of its slabs gets a free.
    const frees = expired * allocationsPerKey;
    const metadataPages = (slabs * EDATA_BYTES) / PAGE_BYTES;
    const metadata = metadataPages * (1 - Math.exp((-frees / slabs) * (PAGE_BYTES / EDATA_BYTES)));
    return { bucketPages, entryPages, metadataPages: metadata };
  };
  return { expiredBy, pagesFor };
}
