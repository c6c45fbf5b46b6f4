import { describe, expect, it } from 'vitest';
import { respBulkBytes, respCommandBytes, setCommandBytes } from './replication-stream.js';

describe('bytes per write in the replication stream', () => {
  it('frames SET key value exactly as RESP does', () => {
    const key = 'key:1';
    const value = 'abc';
    const wire = `*3\r\n$3\r\nSET\r\n$${key.length}\r\n${key}\r\n$${value.length}\r\n${value}\r\n`;
    expect(setCommandBytes(key.length, value.length)).toBe(wire.length);
  });

  it('gives the measured 1,063 B for a 1 KiB value under a key:N key of 10 bytes', () => {
    // key:N up to key:197515: the probe's keys are 10 bytes (load.key_bytes).
    expect(setCommandBytes(10, 1024)).toBe(1063);
  });

  it('grows with the digits of each length', () => {
    // 4 (*3) + 9 ($3 SET) + 17 ($10 key) + the value's bulk.
    expect(setCommandBytes(10, 9)).toBe(30 + 4 + 9 + 2);
    expect(setCommandBytes(10, 100)).toBe(30 + 6 + 100 + 2);
    expect(setCommandBytes(16, 16 * 1024)).toBe(4 + 9 + 5 + 16 + 2 + 8 + 16384 + 2);
  });

  it('counts an empty bulk and a many-argument command', () => {
    expect(respBulkBytes(0)).toBe("$0\r\n\r\n".length);
    expect(respCommandBytes(new Array(10).fill(1))).toBe(5 + 10 * 7);
  });
});
