import { describe, expect, it } from 'vitest';
import type { CommandStat } from './info-text.js';
import { WRITE_COMMANDS, writeRates } from './write-commands.js';

const stat = (calls: number, usec = calls * 2): CommandStat => ({ calls, usec, rejectedCalls: 0, failedCalls: 0 });

describe('WRITE_COMMANDS', () => {
  it('maps each write command to the key type it writes', () => {
    expect(WRITE_COMMANDS.get('set')).toBe('string');
    expect(WRITE_COMMANDS.get('setbit')).toBe('string');
    expect(WRITE_COMMANDS.get('pfadd')).toBe('string');
    expect(WRITE_COMMANDS.get('hset')).toBe('hash');
    expect(WRITE_COMMANDS.get('srem')).toBe('set');
    expect(WRITE_COMMANDS.get('geoadd')).toBe('zset');
    expect(WRITE_COMMANDS.get('rpop')).toBe('list');
    expect(WRITE_COMMANDS.get('expire')).toBe('generic');
    expect(WRITE_COMMANDS.get('xadd')).toBe('stream');
  });

  it('leaves out reads, the server’s own writes and STORE-only writes', () => {
    for (const name of ['get', 'hget', 'scan', 'info', 'config|set', 'flushall', 'sort', 'georadius', 'eval', 'exec']) expect(WRITE_COMMANDS.has(name), name).toBe(false);
  });
});

describe('writeRates', () => {
  it('divides the calls between two readings by the seconds between them', () => {
    const before = { set: stat(1000), hset: stat(10), get: stat(5) };
    const after = { set: stat(3000), hset: stat(510), get: stat(100_000), del: stat(40), xadd: stat(20), incr: stat(60) };
    const r = writeRates(before, after, 2);
    expect(r.byCommand).toEqual({ set: 1000, hset: 250, del: 20, xadd: 10, incr: 30 });
    expect(r.byTarget).toEqual({ string: 1030, hash: 250, set: 0, zset: 0, list: 0, generic: 20, stream: 10 });
    // Streams are not modelled: left out of the rate the scenario takes.
    expect(r.modelledPerSec).toBe(1300);
    expect(r.deletesPerSec).toBe(20);
    expect(r.countersPerSec).toBe(30);
    expect(r.usecPerWrite).toBe(2);
  });

  it('counts a counter that went down (CONFIG RESETSTAT) from zero, and one reading as lifetime averages', () => {
    expect(writeRates({ set: stat(5000) }, { set: stat(300) }, 3).byCommand.set).toBe(100);
    expect(writeRates({}, { set: stat(600) }, 60).modelledPerSec).toBe(10);
    expect(writeRates({}, {}, 60).usecPerWrite).toBeUndefined();
    expect(() => writeRates({}, {}, 0)).toThrow(RangeError);
  });
});
