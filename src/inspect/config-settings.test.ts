import { describe, expect, it } from 'vitest';
import { configValue, parseReplicaOutputBufferLimit, parseSaveRules, parseYesNo, saveIntervalSec } from './config-settings.js';

describe('CONFIG settings', () => {
  it('parses save rules, and the interval they give a steady write rate', () => {
    const rules = parseSaveRules('3600 1 300 100 60 10000')!;
    expect(rules).toEqual([
      { seconds: 3600, changes: 1 },
      { seconds: 300, changes: 100 },
      { seconds: 60, changes: 10_000 },
    ]);
    // 2500 changes/s: the 60 s rule has its 10,000 changes after 4 s, so it fires at 60 s.
    expect(saveIntervalSec(rules, 2500)).toBe(60);
    // 10 changes/s: 10,000 take 1000 s; 100 changes after 10 s, so the 300 s rule fires first.
    expect(saveIntervalSec(rules, 10)).toBe(300);
    expect(saveIntervalSec(rules, 0)).toBeUndefined();
    expect(parseSaveRules('')).toEqual([]);
    expect(saveIntervalSec([], 100)).toBeUndefined();
    expect(parseSaveRules('3600')).toBeUndefined();
  });

  it('reads the replica class of client-output-buffer-limit, as 7.0 and 6.2 name it', () => {
    const v7 = 'normal 0 0 0 replica 268435456 67108864 60 pubsub 33554432 8388608 60';
    expect(parseReplicaOutputBufferLimit(v7)).toEqual({ hardBytes: 268_435_456, softBytes: 67_108_864, softSec: 60 });
    expect(parseReplicaOutputBufferLimit(v7.replace('replica', 'slave'))).toEqual({ hardBytes: 268_435_456, softBytes: 67_108_864, softSec: 60 });
    expect(parseReplicaOutputBufferLimit('normal 0 0 0')).toBeUndefined();
  });

  it('finds a threshold under its 6.2 ziplist name', () => {
    expect(configValue({ 'hash-max-ziplist-entries': '256' }, 'hash-max-listpack-entries')).toBe('256');
    expect(configValue({ 'hash-max-listpack-entries': '128', 'hash-max-ziplist-entries': '256' }, 'hash-max-listpack-entries')).toBe('128');
    expect(configValue({}, 'set-max-intset-entries')).toBeUndefined();
    expect([parseYesNo('yes'), parseYesNo('no'), parseYesNo(undefined)]).toEqual([true, false, undefined]);
  });
});
