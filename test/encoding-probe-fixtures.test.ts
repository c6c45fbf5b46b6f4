// The per-encoding copy-on-write measurements (test/fixtures/encoding-probe.json, written by
// validation/encoding-probe.ts): the fixture agrees with itself, and the pages it shows follow
// from what one write of each encoding dirties (validation/ENCODINGS.md).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PAGE_BYTES, sizeClass, slabGeometry } from '../src/engine/jemalloc.js';
import { simulate } from '../src/engine/simulate.js';
import { ScenarioSchema } from '../src/schemas/scenario.js';
import { commandsPerWrite, spread, type CaseResult, type Repetition, type WriteBatch } from '../validation/encoding-probe.js';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/encoding-probe.json', import.meta.url), 'utf8')) as {
  host: { kernel: string; cpus: number };
  thp: { enabled: string };
  redisConfig: Record<string, string>;
  cases: CaseResult[];
};
const cases = new Map(fixture.cases.map((c) => [c.name, c]));
const byName = (name: string): CaseResult => {
  const found = cases.get(name);
  if (!found) throw new Error(`no case ${name} in the fixture`);
  return found;
};
const MiB = 2 ** 20;
/** validation/encoding-probe.ts LARGE_WRITE_SHARE. */
const LARGE_WRITE_SHARE = 0.5;

/** Occupancy: `balls` thrown uniformly into `bins`; mean and variance of the bins hit (Feller, vol. 1, §IV.2). */
function occupancy(bins: number, balls: number): { mean: number; variance: number } {
  const miss = (1 - 1 / bins) ** balls;
  const missTwo = (1 - 2 / bins) ** balls;
  const mean = bins * (1 - miss);
  const variance = bins * miss + bins * (bins - 1) * missTwo - (bins * miss) ** 2;
  return { mean, variance: Math.max(variance, 0) };
}

describe('encoding probe fixture: its own consistency', () => {
  it('was measured on 4 KiB pages without THP and with the 7.0 encoding thresholds', () => {
    expect(fixture.redisConfig.redis_version).toBe('7.0.15');
    expect(fixture.redisConfig['disable-thp']).toBe('yes');
    expect(fixture.thp.enabled).not.toBe('always');
    // 7.0's defaults (src/config.c): 512 hash entries, not the 128 of zsets.
    expect(fixture.redisConfig['hash-max-listpack-entries']).toBe('512');
    expect(fixture.redisConfig['zset-max-listpack-entries']).toBe('128');
    expect(fixture.cases.length).toBe(15);
  });

  describe.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    it('has three repetitions of 64–256 MiB whose sampled keys have the encoding and size asked for', () => {
      expect(c.runs).toHaveLength(3);
      for (const run of c.runs) {
        expect(run.usedMemoryBytes).toBeGreaterThan(64 * MiB);
        expect(run.usedMemoryBytes).toBeLessThan(256 * MiB);
        expect(run.mainDictRehashing).toBe(false);
        for (const sample of run.samples) {
          expect(sample.encoding).toBe(c.encoding);
          expect(sample.elements).toBe(c.elements);
          if (sample.tableRehashing !== null) expect(sample.tableRehashing).toBe(false);
        }
      }
    });

    it('counts writes, commands and pages as the probe defines them', () => {
      expect(c.commandsPerWrite).toBe(commandsPerWrite(c.write));
      for (const run of c.runs) {
        const dirty = run.childPrivateDirtyBytes;
        expect(run.readBaselinePages).toBe((dirty.afterReads - dirty.start) / PAGE_BYTES);
        expect(run.readCommands).toBe(run.small.commands);
        const check = (batch: WriteBatch, afterBytes: number, writes: number) => {
          expect(batch.writes).toBe(writes);
          expect(batch.commands).toBe(writes * c.commandsPerWrite);
          expect(batch.copiedPages).toBe((afterBytes - dirty.afterReads) / PAGE_BYTES - run.readBaselinePages);
          expect(batch.pagesPerWrite).toBeCloseTo(batch.copiedPages / batch.writes, 3);
          expect(batch.pagesPerDistinctKey).toBeCloseTo(batch.copiedPages / batch.distinctKeys, 3);
        };
        check(run.small, dirty.afterSmall, Math.round(c.keys * c.smallWriteShare));
        check(run.large, dirty.afterLarge, Math.round(c.keys * LARGE_WRITE_SHARE));
      }
    });

    it('chose keys uniformly: distinct keys within 5σ of the occupancy expectation', () => {
      for (const run of c.runs) {
        for (const batch of [run.small, run.large]) {
          const { mean, variance } = occupancy(c.keys, batch.writes);
          expect(Math.abs(batch.distinctKeys - mean)).toBeLessThanOrEqual(5 * Math.sqrt(variance) + 1);
        }
      }
    });

    it('copies more with more writes, and never more than the resident set', () => {
      for (const run of c.runs) {
        expect(run.small.copiedPages).toBeGreaterThan(0);
        expect(run.large.copiedPages).toBeGreaterThan(run.small.copiedPages);
        expect(run.large.copiedPages * PAGE_BYTES).toBeLessThan(run.usedMemoryRssBytes);
      }
    });

    it('summarises the repetitions by median and range', () => {
      const of = (pick: (r: Repetition) => number) => spread(c.runs.map(pick));
      expect(c.summary.smallPagesPerWrite).toEqual(of((r) => r.small.pagesPerWrite));
      expect(c.summary.largePagesPerDistinctKey).toEqual(of((r) => r.large.pagesPerDistinctKey));
      expect(c.summary.readBaselinePages).toEqual(spread(c.runs.map((r) => r.readBaselinePages), 0));
    });

    it("applies dismissObject's own tests to the sampled key (src/object.c, src/server.c dismissMemory)", () => {
      const facts = c.dismissObject;
      if (facts.divisorValue !== null) expect(facts.walksElements).toBe(facts.sizeHintBytes / facts.divisorValue >= PAGE_BYTES);
      else expect(facts.walksElements).toBe(false);
      for (const region of facts.regions) expect(region.released).toBe(region.bytes > PAGE_BYTES / 2 && region.usableBytes >= PAGE_BYTES);
    });
  });
});

/**
 * Pages a batch should copy when each write dirties one allocation of each listed class, chosen
 * uniformly (a uniform key, or a uniform element of a uniform key): every class is `regions`
 * allocations of `bytes` packed in jemalloc slabs, and a region that straddles a page boundary
 * dirties one or two pages, so the expectation is bracketed by m = 1 and m = 1 + straddling share.
 */
interface DirtiedClass {
  what: string;
  /** The allocation's size class. */
  bytes: number;
  /** How many of them the dataset holds. */
  regions: number;
}

function expectedPages(classes: DirtiedClass[], writes: number): { low: number; high: number; sd: number } {
  let low = 0;
  let high = 0;
  let variance = 0;
  for (const { bytes, regions } of classes) {
    const slab = slabGeometry(bytes);
    const pages = (regions / slab.regionsPerSlab) * slab.pagesPerSlab;
    // Page boundaries inside a slab that fall inside a region, per region.
    let straddling = 0;
    for (let p = 1; p < slab.pagesPerSlab; p++) if ((p * PAGE_BYTES) % bytes !== 0) straddling++;
    const m = 1 + straddling / slab.regionsPerSlab;
    const one = occupancy(pages, writes);
    low += one.mean;
    high += occupancy(pages, Math.round(writes * m)).mean;
    variance += one.variance;
  }
  return { low, high, sd: Math.sqrt(variance) };
}

/** Key names k:0 … k:N-1 whose sds falls in the 16-B class: 1-byte header + name + NUL > 8 B, i.e. names of 7+ characters. */
function keySdsIn16(keys: number): number {
  return Math.max(0, keys - 10_000);
}

describe('pages per write follow from the allocations one write dirties', () => {
  const within = (c: CaseResult, classesFor: (run: Repetition) => DirtiedClass[]) => {
    for (const run of c.runs) {
      for (const batch of [run.small, run.large]) {
        const { low, high, sd } = expectedPages(classesFor(run), batch.writes);
        // 5σ of the occupancy, plus the bookkeeping pages the read batch showed in the same fork.
        const slack = 5 * sd + run.readBaselinePages;
        expect(batch.copiedPages).toBeGreaterThanOrEqual(low - slack);
        expect(batch.copiedPages).toBeLessThanOrEqual(high + slack);
      }
    }
  };

  it('INCR on an int-encoded counter rewrites only its 16-B robj, which shares a slab with the key names', () => {
    const c = byName('string-int');
    // src/t_string.c incrDecrCommand: o->ptr = value, in place, above OBJ_SHARED_INTEGERS.
    within(c, () => [{ what: 'robj + key sds', bytes: 16, regions: c.keys + keySdsIn16(c.keys) }]);
  });

  it('SREM+SADD on an intset rewrites the intset in place and the robj that points at it', () => {
    const c = byName('set-intset');
    // src/intset.c: 8-byte header + 100 int16; zrealloc by ±2 B stays in its class, so in place.
    within(c, () => [
      { what: 'intset', bytes: sizeClass(8 + 2 * c.elements), regions: c.keys },
      { what: 'robj + key sds', bytes: 16, regions: c.keys + keySdsIn16(c.keys) },
    ]);
  });

  it('HSET on a hashtable field reuses the freed value slot: the value sds and its dictEntry, adjacent in one slab', () => {
    const c = byName('hash-hashtable-600');
    // Value sds (1 + 24 + 1 B) and dictEntry (24 B) are both 32-B regions allocated one after the
    // other per field (src/t_hash.c hashTypeConvertListpack, dictAdd): a 64-B pair per field.
    expect(sizeClass(1 + c.elementBytes + 1)).toBe(32);
    within(c, () => [{ what: 'value sds + dictEntry', bytes: 64, regions: c.keys * c.elements }]);
  });

  it('HSET of a 100-B value on a hashtable dirties at least the value sds and the dictEntry, in two slabs', () => {
    const c = byName('hash-hashtable-value100');
    // The two explain all but 1–2% of the copies; the rest belongs to no allocation of the
    // written key (validation/ENCODINGS.md), so only the floor is asserted here.
    const classes = [
      { what: 'value sds', bytes: sizeClass(3 + c.elementBytes + 1), regions: c.keys * c.elements },
      { what: 'dictEntry', bytes: sizeClass(24), regions: c.keys * c.elements },
    ];
    for (const run of c.runs) {
      for (const batch of [run.small, run.large]) {
        const { low, sd } = expectedPages(classes, batch.writes);
        expect(batch.copiedPages).toBeGreaterThanOrEqual(low - 5 * sd - run.readBaselinePages);
      }
    }
  });

  it('a listpack hash or zset write copies at least one page per key written: its one listpack, rewritten in place', () => {
    for (const name of ['hash-listpack-32', 'hash-listpack-60', 'hash-listpack-200', 'zset-listpack']) {
      for (const run of byName(name).runs) expect(run.small.pagesPerDistinctKey).toBeGreaterThanOrEqual(1);
    }
  });

  it('LPUSH+RPOP touches only the end nodes: pages per write do not grow with the list', () => {
    const short = byName('list-quicklist-100');
    const long = byName('list-quicklist-2000');
    // A node holds at most 8 KiB (list-max-listpack-size -2, src/quicklist.c optimization_level).
    const nodePages = 8192 / PAGE_BYTES;
    expect(long.runs[0]!.samples[0]!.quicklistNodes).toBeGreaterThan(10);
    expect(short.runs[0]!.samples[0]!.quicklistNodes).toBe(1);
    // The one-node list has head = tail; the long one may touch one more node, no more.
    expect(Math.abs(long.summary.smallPagesPerWrite.median - short.summary.smallPagesPerWrite.median)).toBeLessThan(nodePages);
    // Far below the key's own pages (~26), which a whole-key rewrite would copy.
    expect(long.summary.smallPagesPerDistinctKey.max).toBeLessThan(long.summary.bytesPerKey / PAGE_BYTES / 4);
  });

  it.each(['string-embstr-40', 'string-raw-100'])("%s: the engine's compact string layout predicts the copies within 1% (as test/layout-probe.test.ts)", (name) => {
    const c = byName(name);
    for (const run of c.runs) {
      for (const batch of [run.small, run.large]) {
        // The fill deleted nothing, so the live data are packed in their slabs: the compact layout
        // (no fragmentationRatio). The RSS above used_memory lies outside the data's slabs here;
        // spreading it between the keys, as a fragmentationRatio does, predicts 2–7% too many.
        const result = simulate(
          ScenarioSchema.parse({
            dataset: { keys: c.keys, valueBytes: c.elementBytes, keyBytes: `k:${c.keys - 1}`.length },
            workload: { writeSchedule: [{ fromSec: 0, writesPerSec: batch.writes * 2 }, { fromSec: 0.5, writesPerSec: 0 }], serviceUsecPerWrite: 0.1 },
            kernel: { cowFaultUsec: 0.001 },
            snapshot: { durationSec: 10_000 },
            simulation: { sampleIntervalSec: 1, maxPoints: 20_000 },
          }),
        );
        const i = result.series.tSec.findIndex((t) => t >= 1);
        expect(result.series.writes[i]).toBe(batch.writes);
        const predicted = result.series.copiedPages[i]!;
        expect(Math.abs(batch.copiedPages - predicted) / predicted).toBeLessThan(0.01);
      }
    }
  });
});
