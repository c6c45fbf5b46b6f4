import { describe, expect, it } from 'vitest';
import { DEFAULT_ENCODING_CONFIG, aggregateEncoding, encodeSegment, listpackEntryBytes, type SegmentShape } from './encodings.js';

const shape = (s: Partial<SegmentShape> & Pick<SegmentShape, 'type'>): SegmentShape => ({ keyBytes: 10, valueBytes: 20, fieldBytes: null, elements: 16, intMembers: false, valueEncoding: 'auto', ...s });
const config = DEFAULT_ENCODING_CONFIG;

describe('encodings', () => {
  it('chooses the encoding by the 7.0 thresholds', () => {
    // hash-max-listpack-entries is 512 in 7.0.15 (src/config.c, redis.conf), not 128.
    expect(aggregateEncoding(shape({ type: 'hash', elements: 512, valueBytes: 128 }), config)).toBe('listpack');
    expect(aggregateEncoding(shape({ type: 'hash', elements: 513 }), config)).toBe('hashtable');
    // Field and value each past hash-max-listpack-value 64.
    expect(aggregateEncoding(shape({ type: 'hash', elements: 16, valueBytes: 130 }), config)).toBe('hashtable');
    expect(aggregateEncoding(shape({ type: 'set', elements: 512, valueBytes: 8, intMembers: true }), config)).toBe('intset');
    expect(aggregateEncoding(shape({ type: 'set', elements: 513, valueBytes: 8, intMembers: true }), config)).toBe('hashtable');
    expect(aggregateEncoding(shape({ type: 'set', elements: 10 }), config)).toBe('hashtable');
    expect(aggregateEncoding(shape({ type: 'zset', elements: 128, valueBytes: 64 }), config)).toBe('listpack');
    expect(aggregateEncoding(shape({ type: 'zset', elements: 128, valueBytes: 65 }), config)).toBe('skiplist');
    expect(aggregateEncoding(shape({ type: 'list', elements: 5 }), config)).toBe('quicklist');
    expect(aggregateEncoding(shape({ type: 'string', valueBytes: 44 }), config)).toBe('embstr');
    expect(aggregateEncoding(shape({ type: 'string', valueBytes: 45 }), config)).toBe('raw');
    expect(aggregateEncoding(shape({ type: 'hash', elements: 200 }), { ...config, 'hash-max-listpack-entries': 128 })).toBe('hashtable');
  });

  it('sizes listpack entries as lpEncodeString does: encoding byte(s), data, backlen', () => {
    expect(listpackEntryBytes(10)).toBe(1 + 10 + 1);
    expect(listpackEntryBytes(63)).toBe(1 + 63 + 1);
    expect(listpackEntryBytes(100)).toBe(2 + 100 + 1);
    expect(listpackEntryBytes(200)).toBe(2 + 200 + 2);
  });

  it('rewrites the key’s one allocation for compact encodings, one element’s for hashtables', () => {
    const listpack = encodeSegment(shape({ type: 'hash', elements: 16, valueBytes: 32 }), config);
    expect(listpack.unitsPerKey).toBe(1);
    // 16 entries of a 16 B field and a 16 B value: 16 × 2 × 18 B + 7 B of header and end.
    expect(listpack.unitAllocations.find((a) => a.kind === 'value-sds')!.requestBytes).toBe(16 * 36 + 7);
    const table = encodeSegment(shape({ type: 'hash', elements: 600, valueBytes: 32 }), config);
    expect(table.unitsPerKey).toBe(600);
    expect(table.unitAllocations.filter((a) => a.writtenOnOverwrite).map((a) => a.kind)).toEqual(['value-sds', 'dict-entry']);
    expect(table.perKeyReadOnlyBytes).toBeGreaterThan(2048);
  });

  it('turns a pair of commands into one rewrite: SREM + SADD, LPUSH + RPOP', () => {
    expect(encodeSegment(shape({ type: 'set', elements: 100, valueBytes: 8, intMembers: true }), config).unitWritesPerCommand).toBe(0.5);
    const set = encodeSegment(shape({ type: 'set', elements: 100 }), config);
    expect([set.unitWritesPerCommand, set.bucketWritesPerCommand]).toEqual([0.5, 1]);
    expect(encodeSegment(shape({ type: 'list', elements: 100, valueBytes: 50 }), config).unitWritesPerCommand).toBe(0.5);
    expect(encodeSegment(shape({ type: 'zset', elements: 200 }), config).unitWritesPerCommand).toBe(1);
  });

  it('writes the head and tail nodes of a quicklist and leaves the rest', () => {
    // list-max-listpack-size -2: nodes of at most 8 KiB; 2000 entries of 52 B fill ~13 nodes.
    const long = encodeSegment(shape({ type: 'list', elements: 2000, valueBytes: 50 }), config);
    const lists = long.unitAllocations.filter((a) => a.kind === 'value-sds');
    expect(lists).toHaveLength(2);
    expect(lists[0]!.requestBytes).toBeLessThanOrEqual(8192);
    expect(long.perKeyReadOnlyBytes).toBeGreaterThan(10 * 8192);
    const short = encodeSegment(shape({ type: 'list', elements: 100, valueBytes: 50 }), config);
    expect(short.unitAllocations.filter((a) => a.kind === 'value-sds')).toHaveLength(1);
  });
});
