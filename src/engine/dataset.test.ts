import { describe, expect, it } from 'vitest';
import { buildDataset, commandShares, type SegmentInput } from './dataset.js';
import { DEFAULT_ENCODING_CONFIG } from './encodings.js';
import { buildLayout } from './layout.js';

const strings = (keys: number, valueBytes: number, writeShare: number | null = null): SegmentInput => ({
  name: `s${valueBytes}`,
  type: 'string',
  keys,
  keyBytes: 16,
  valueBytes,
  elements: 1,
  fieldBytes: null,
  intMembers: false,
  valueEncoding: 'auto',
  writeShare,
  ttlShare: 0,
  distribution: { type: 'uniform' },
});
const build = (segments: SegmentInput[]) =>
  buildDataset({ segments, config: DEFAULT_ENCODING_CONFIG, newKeyFraction: 0, deleteFraction: 0, fragmentationRatio: undefined, hugePages: false });

describe('a dataset of segments', () => {
  it('splits the writes as given, the rest by key count', () => {
    expect(commandShares([{ keys: 300, writeShare: null }, { keys: 100, writeShare: null }])).toEqual([0.75, 0.25]);
    expect(commandShares([{ keys: 300, writeShare: 0.5 }, { keys: 100, writeShare: null }, { keys: 100, writeShare: null }])).toEqual([0.5, 0.25, 0.25]);
    expect(commandShares([{ keys: 1, writeShare: 0 }, { keys: 1, writeShare: 1 }])).toEqual([0, 1]);
  });

  it('holds one server: one string segment uses the memory of the shorthand', () => {
    const one = build([strings(1e6, 100)]);
    const shorthand = buildLayout({ keys: 1e6, keyBytes: 16, valueBytes: 100 });
    expect(one.usedMemoryBytes).toBe(shorthand.usedMemoryBytes);
    expect(one.heapPages).toBeCloseTo(shorthand.heapPages, 6);
    // The allocator's metadata of the main dictionary's one extent aside.
    expect(Math.abs(one.compactRssBytes - shorthand.compactRssBytes)).toBeLessThan(0.001 * shorthand.compactRssBytes);
    // Two halves: the same server once, the keys' memory in two parts.
    const halves = build([strings(5e5, 100), strings(5e5, 100)]);
    expect(halves.usedMemoryBytes).toBe(shorthand.usedMemoryBytes);
    expect(halves.segments.map((s) => s.commandShare)).toEqual([0.5, 0.5]);
  });

  it('adds each segment’s keys to the used memory, and the main dictionary once', () => {
    const small = build([strings(4e5, 20)]);
    const large = build([strings(6e5, 4000)]);
    const both = build([strings(4e5, 20), strings(6e5, 4000)]);
    expect(both.keys).toBe(1e6);
    const perKey = (d: ReturnType<typeof build>) => d.segments[0]!.usedMemoryBytes;
    expect(both.usedMemoryBytes - both.mainDictBytes).toBeCloseTo(perKey(small) + perKey(large) + (small.usedMemoryBytes - perKey(small) - small.mainDictBytes), 0);
  });
});
