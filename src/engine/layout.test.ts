import { describe, expect, it } from 'vitest';
import { buildLayout, dictBuckets, keyAllocations, keysForUsedMemory } from './layout.js';

describe('Redis 7.0 string key layout', () => {
  it('splits a 100-byte value into robj + raw sds and keeps short keys in 16-byte slots', () => {
    const kinds = keyAllocations(11, 100).map((a) => [a.kind, a.usableBytes, a.writtenOnOverwrite]);
    expect(kinds).toEqual([
      ['value-robj', 16, true],
      ['value-sds', 112, true],
      ['key-sds', 16, false],
      ['dict-entry', 32, true],
    ]);
  });

  it('embeds values up to 44 bytes with their robj', () => {
    expect(keyAllocations(11, 44)[0]).toMatchObject({ kind: 'value-embstr', requestBytes: 64, usableBytes: 64 });
    expect(keyAllocations(11, 45).map((a) => a.kind)).toContain('value-sds');
  });

  it('reproduces used_memory and the slab counts of the measured 1 GiB, 100 B run', () => {
    // 03-u10k-1g-100b: 5,722,554 keys "key:0".."key:5722553", INFO used_memory 1,075,449,576.
    const layout = buildLayout({ keys: 5_722_554, keyBytes: 11, valueBytes: 100 });
    expect(Math.abs(layout.usedMemoryBytes - 1_075_449_576) / 1_075_449_576).toBeLessThan(0.001);
    const pages = Object.fromEntries(layout.smallClasses.map((c) => [c.geometry.regionBytes, c.pages]));
    // jemalloc bins (which also hold the server's own objects): 16 B 44754 slabs × 1 page,
    // 32 B 44747 × 1, 112 B 22354 × 7.
    const near = (value: number, measured: number) => expect(Math.abs(value - measured) / measured).toBeLessThan(0.002);
    near(pages[16]!, 44_754);
    near(pages[32]!, 44_747);
    near(pages[112]!, 22_354 * 7);
    expect(layout.dictBuckets).toBe(2 ** 23);
  });

  it('puts 16 KiB values in their own padded 20 KiB extents', () => {
    const layout = buildLayout({ keys: 52_174, keyBytes: 9, valueBytes: 16_384 });
    expect(layout.largeValue).toMatchObject({ usableBytes: 20_480, extentPages: 6, meanTouchedPages: 5 });
    // 13-u1k-1g-16k-never: INFO used_memory 1,073,435,096.
    expect(Math.abs(layout.usedMemoryBytes - 1_073_435_096) / 1_073_435_096).toBeLessThan(0.002);
  });

  it('spreads live regions over more slabs when fragmentation leaves holes', () => {
    const compact = buildLayout({ keys: 1e6, keyBytes: 11, valueBytes: 100 });
    const fragmented = buildLayout({ keys: 1e6, keyBytes: 11, valueBytes: 100, fragmentationRatio: 1.92 });
    expect(fragmented.usedMemoryBytes).toBe(compact.usedMemoryBytes);
    expect(fragmented.liveFraction).toBeGreaterThan(0.45);
    expect(fragmented.liveFraction).toBeLessThan(0.55);
    const total = (l: typeof compact) => l.smallClasses.reduce((s, c) => s + c.pages, 0);
    expect(total(fragmented) / total(compact)).toBeGreaterThan(1.8);
  });

  it('deletes keys at random: live slots per slab are binomial, a key\'s regions kept together', () => {
    // 4 KiB values: 5120 B regions, 4 per 5-page slab; keep 1/3 of the keys.
    const fragmented = buildLayout({ keys: 25_000, keyBytes: 12, valueBytes: 4096, fragmentationRatio: 3.1 });
    const values = fragmented.smallClasses.find((c) => c.geometry.regionBytes === 5120)!;
    const p = values.liveRegionsPerPeriod / (values.periodSlabs * 4);
    expect(p).toBeGreaterThan(0.3);
    expect(p).toBeLessThan(0.36);
    const perSlab = new Array<number>(values.periodSlabs).fill(0);
    for (const start of values.liveRegionStart) perSlab[Math.floor(start / (5 * 4096))]!++;
    const share = (k: number) => perSlab.filter((n) => n === k).length / perSlab.length;
    const binomial = (k: number) => [1, 4, 6, 4, 1][k]! * p ** k * (1 - p) ** (4 - k);
    for (let k = 0; k <= 4; k++) expect(Math.abs(share(k) - binomial(k))).toBeLessThan(0.02);
    // The 16 B class holds two kinds per key (robj, key sds): they stay adjacent pairs.
    const pairs = fragmented.smallClasses.find((c) => c.kinds.length === 2)!;
    for (let i = 0; i < pairs.liveRegionStart.length; i += 2) {
      expect(pairs.liveRegionStart[i + 1]! - pairs.liveRegionStart[i]!).toBe(pairs.geometry.regionBytes);
      expect((pairs.liveRegionStart[i]! / pairs.geometry.regionBytes) % 2).toBe(0);
    }
  });

  it('inverts used memory into a key count', () => {
    for (const [keys, value] of [[5_722_554, 100], [791_446, 1024], [52_174, 16_384]] as const) {
      const used = buildLayout({ keys, keyBytes: 11, valueBytes: value }).usedMemoryBytes;
      expect(keysForUsedMemory(used, 11, value)).toBe(keys);
    }
  });

  it('sizes the bucket array to the next power of two', () => {
    expect([1, 4, 5, 1024, 1025, 5_722_554].map(dictBuckets)).toEqual([4, 4, 8, 1024, 2048, 8_388_608]);
  });
});
