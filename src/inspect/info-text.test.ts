import { describe, expect, it } from 'vitest';
import { infoNumber, parseInfoText, redisVersionOf, totalKeys } from './info-text.js';

// The shape INFO answers in: CRLF lines, `# Section` headers (redis-doc commands/info.md).
const TEXT = [
  '# Server',
  'redis_version:7.0.15',
  'uptime_in_seconds:21',
  '',
  '# Memory',
  'used_memory:5542912',
  'mem_fragmentation_ratio:3.17',
  'maxmemory_policy:noeviction',
  '# Commandstats',
  'cmdstat_set:calls=3000,usec=36454,usec_per_call=12.15,rejected_calls=0,failed_calls=2',
  'cmdstat_config|get:calls=4,usec=40,usec_per_call=10.00,rejected_calls=1,failed_calls=0',
  'cmdstat_hset:calls=7,usec=70,usec_per_call=10.00',
  '# Keyspace',
  'db0:keys=20902,expires=1666,avg_ttl=3582241',
  'db3:keys=5,expires=0,avg_ttl=0',
  '',
].join('\r\n');

describe('parseInfoText', () => {
  const info = parseInfoText(TEXT);

  it('reads fields whatever their section, and the section names', () => {
    expect(info.fields.redis_version).toBe('7.0.15');
    expect(infoNumber(info, 'used_memory')).toBe(5_542_912);
    expect(infoNumber(info, 'mem_fragmentation_ratio')).toBe(3.17);
    expect(infoNumber(info, 'maxmemory_policy')).toBeUndefined();
    expect(infoNumber(info, 'absent')).toBeUndefined();
    expect(info.sections).toEqual(['server', 'memory', 'commandstats', 'keyspace']);
  });

  it('reads commandstats, subcommands and 6.2 lines without the 7.0 counters', () => {
    expect(info.commandStats.set).toEqual({ calls: 3000, usec: 36_454, rejectedCalls: 0, failedCalls: 2 });
    expect(info.commandStats['config|get']).toEqual({ calls: 4, usec: 40, rejectedCalls: 1, failedCalls: 0 });
    expect(info.commandStats.hset).toEqual({ calls: 7, usec: 70, rejectedCalls: 0, failedCalls: 0 });
    expect(info.fields.cmdstat_set).toBeUndefined();
  });

  it('reads the keyspace of every database', () => {
    expect(info.keyspace).toEqual({ 0: { keys: 20_902, expires: 1666, avgTtlMs: 3_582_241 }, 3: { keys: 5, expires: 0, avgTtlMs: 0 } });
    expect(totalKeys(info)).toBe(20_907);
    expect(info.fields.db0).toBeUndefined();
  });

  it('reads the version, and nothing from text that is not INFO', () => {
    expect(redisVersionOf(info)).toEqual([7, 0, 15]);
    const junk = parseInfoText('hello world\nno colon here\n:leading colon\n');
    expect(junk.fields).toEqual({});
    expect(redisVersionOf(junk)).toBeUndefined();
    expect(totalKeys(junk)).toBe(0);
  });
});
