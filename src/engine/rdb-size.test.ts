import { fc, test as fcTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { estimateRdbBytes, populateKeyNameBytes, rdbAuxFieldsBytes, rdbIntegerStringBytes, rdbLenBytes } from './rdb-size.js';

describe('rdbSaveLen', () => {
  it('takes 1, 2, 5 or 9 bytes at the 6-, 14- and 32-bit limits', () => {
    expect([0, 63, 64, 16383, 16384, 2 ** 32 - 1, 2 ** 32].map(rdbLenBytes)).toEqual([1, 1, 2, 2, 5, 5, 9]);
  });
});

describe('integer strings', () => {
  it('are int8, int16 or int32 when they fit, else their digits', () => {
    expect([0, 127, -128, 128, 32767, -32769, 2 ** 31 - 1, -(2 ** 31)].map(rdbIntegerStringBytes)).toEqual([2, 2, 2, 3, 3, 5, 5, 5]);
    // 2^31 has 10 digits: verbatim with a one-byte length.
    expect(rdbIntegerStringBytes(2 ** 31)).toBe(11);
    expect(rdbIntegerStringBytes(123_456_789_012)).toBe(13);
  });
});

describe('aux fields', () => {
  it('7.0 without replication info: redis-ver 18 + redis-bits 14 + ctime 12 + used-mem 15 + aof-base 12', () => {
    expect(rdbAuxFieldsBytes({ redisVersion: '7.0', usedMemoryBytes: 335_743_960 })).toBe(71);
  });

  it('replication info adds repl-stream-db 18 + repl-id 50 + repl-offset 13 and the offset', () => {
    const plain = rdbAuxFieldsBytes({ redisVersion: '7.0', usedMemoryBytes: 1e8 });
    expect(rdbAuxFieldsBytes({ redisVersion: '7.0', usedMemoryBytes: 1e8, replicationOffset: 0 }) - plain).toBe(83);
    expect(rdbAuxFieldsBytes({ redisVersion: '7.0', usedMemoryBytes: 1e8, replicationOffset: 1e6 }) - plain).toBe(86);
  });

  it('6.2 names the last one aof-preamble, 4 bytes longer', () => {
    expect(rdbAuxFieldsBytes({ redisVersion: '6.2', usedMemoryBytes: 1e8 }) - rdbAuxFieldsBytes({ redisVersion: '7.0', usedMemoryBytes: 1e8 })).toBe(4);
  });

  it('used-mem of 2 GiB and more is stored as its digits', () => {
    expect(rdbAuxFieldsBytes({ redisVersion: '7.0', usedMemoryBytes: 10e9 }) - rdbAuxFieldsBytes({ redisVersion: '7.0', usedMemoryBytes: 1e9 })).toBe(12 - 5);
  });
});

describe('estimateRdbBytes', () => {
  it('a key of 1 KiB is type + key + 2-byte length + value', () => {
    const one = estimateRdbBytes({ keys: 1, keyBytes: 5, valueBytes: 1024, redisVersion: '7.0', usedMemoryBytes: 1e6 });
    const two = estimateRdbBytes({ keys: 2, keyBytes: 5, valueBytes: 1024, redisVersion: '7.0', usedMemoryBytes: 1e6 });
    expect(two - one).toBe(1 + 1 + 5 + 2 + 1024);
    // magic 9, aux 71, SELECTDB 2, RESIZEDB 1 + 1 + 1, EOF + CRC 9.
    expect(one).toBe(9 + 71 + 2 + 3 + 1033 + 9);
  });

  it('an empty dataset writes no SELECTDB', () => {
    expect(estimateRdbBytes({ keys: 0, keyBytes: 5, valueBytes: 10, redisVersion: '7.0', usedMemoryBytes: 1e6 })).toBe(9 + 71 + 9);
  });

  it('a TTL adds its opcode and 8 bytes', () => {
    const base = { keys: 100, keyBytes: 8, valueBytes: 100, redisVersion: '7.0' as const, usedMemoryBytes: 1e6 };
    expect(estimateRdbBytes({ ...base, keys: 63, keysWithExpire: 63 }) - estimateRdbBytes({ ...base, keys: 63 })).toBe(63 * 9);
    // RESIZEDB's expires count widens from 1 to 2 bytes at 64.
    expect(estimateRdbBytes({ ...base, keysWithExpire: 100 }) - estimateRdbBytes(base)).toBe(100 * 9 + 1);
  });

  fcTest.prop([fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 100_000 })])(
    'never smaller than the keys and values themselves, never more than 16 B a key and 200 B above them',
    (keys, keyBytes, valueBytes) => {
      const size = estimateRdbBytes({ keys, keyBytes, valueBytes, redisVersion: '7.0' });
      const payload = keys * (keyBytes + valueBytes);
      expect(size).toBeGreaterThan(payload);
      expect(size).toBeLessThanOrEqual(payload + keys * 16 + 200);
    },
  );
});

describe('DEBUG POPULATE key names', () => {
  it('sums key:0 … key:N−1 as a loop over the names would', () => {
    for (const n of [0, 1, 9, 10, 11, 99, 100, 12345, 247_448]) {
      let total = 0;
      for (let j = 0; j < n; j++) total += `key:${j}`.length;
      expect(populateKeyNameBytes(n)).toBe(total);
    }
    expect(populateKeyNameBytes(3, 'k')).toBe(9);
  });
});
