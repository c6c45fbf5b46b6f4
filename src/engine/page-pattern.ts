// Which keys' written regions share each page of a size class. Slabs repeat the same
// pattern, so one period of slabs tells how many pages are written by 1, 2, … distinct keys
// (a page is copied when any of them is first written) and how many pages lie wholly inside
// one key's dismissible value (released when the fork child has saved that key).

import { PAGE_BYTES, gcd } from './jemalloc.js';
import { writtenExtentBytes, type SmallClassLayout } from './layout.js';

export interface ClassPagePattern {
  /** sharedPagesByKeyCount[n] = pages (per period) whose written regions belong to n keys. */
  sharedPagesByKeyCount: Float64Array;
  /** Pages (per period) wholly inside one key's dismissible region. */
  dismissiblePages: number;
  keysPerPeriod: number;
  pagesPerPeriod: number;
  /** Distinct keys with a written region on a page, averaged over pages. */
  meanKeysPerPage: number;
}


export interface RegionPages {
  firstPage: number;
  lastPage: number;
  /** Pages wholly inside the region (empty when first > last). */
  wholeFirst: number;
  wholeLast: number;
}

/** Pages that writing `writtenBytes` at `start` touches, and those wholly inside the region. */
export function regionPages(start: number, writtenBytes: number, regionBytes: number): RegionPages {
  const firstPage = Math.floor(start / PAGE_BYTES);
  const lastPage = Math.floor((start + writtenBytes - 1) / PAGE_BYTES);
  const wholeFirst = Math.ceil(start / PAGE_BYTES);
  const wholeLast = Math.min(lastPage, Math.floor((start + regionBytes) / PAGE_BYTES) - 1);
  return { firstPage, lastPage, wholeFirst, wholeLast };
}

export function classPagePattern(cls: SmallClassLayout, dismissEnabled: boolean): ClassPagePattern {
  const kindsPerKey = cls.kinds.length;
  const live = cls.liveRegionsPerPeriod;
  const layoutPeriods = kindsPerKey / gcd(live, kindsPerKey);
  const layoutPeriodPages = cls.periodSlabs * cls.geometry.pagesPerSlab;
  const pagesPerPeriod = layoutPeriods * layoutPeriodPages;
  const keysOnPage: Array<Set<number>> = Array.from({ length: pagesPerPeriod }, () => new Set<number>());
  const dismissible = new Uint8Array(pagesPerPeriod);
  for (let period = 0; period < layoutPeriods; period++) {
    for (let i = 0; i < live; i++) {
      const regionIndex = period * live + i;
      const kind = cls.kinds[regionIndex % kindsPerKey]!;
      if (!kind.writtenOnOverwrite) continue;
      const key = Math.floor(regionIndex / kindsPerKey);
      const start = period * layoutPeriodPages * PAGE_BYTES + cls.liveRegionStart[i]!;
      const pages = regionPages(start, writtenExtentBytes(kind), cls.geometry.regionBytes);
      for (let p = pages.firstPage; p <= pages.lastPage; p++) {
        if (dismissEnabled && kind.dismissible && p >= pages.wholeFirst && p <= pages.wholeLast) dismissible[p] = 1;
        else keysOnPage[p]!.add(key);
      }
    }
  }
  const maxKeys = keysOnPage.reduce((m, s) => Math.max(m, s.size), 0);
  const sharedPagesByKeyCount = new Float64Array(maxKeys + 1);
  let keyPageSum = 0;
  for (const keys of keysOnPage) {
    sharedPagesByKeyCount[keys.size]! += 1;
    keyPageSum += keys.size;
  }
  let dismissiblePages = 0;
  for (const d of dismissible) dismissiblePages += d;
  return {
    sharedPagesByKeyCount,
    dismissiblePages,
    keysPerPeriod: (layoutPeriods * live) / kindsPerKey,
    pagesPerPeriod,
    meanKeysPerPage: keyPageSum / pagesPerPeriod,
  };
}
