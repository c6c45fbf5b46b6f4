import { describe, expect, it } from 'vitest';
import { infoNumber, parseInfo } from './redis-info.js';

describe('parseInfo', () => {
  const info = parseInfo(
    '# Persistence\r\nrdb_bgsave_in_progress:1\r\ncurrent_fork_perc:12.50\r\nrdb_last_bgsave_status:ok\r\n\r\n# Stats\r\nlatest_fork_usec:-1\r\n# Keyspace\r\ndb0:keys=3,expires=0,avg_ttl=0\r\n',
  );

  it('gives numbers for numeric fields and strings for the rest', () => {
    expect(info).toEqual({
      rdb_bgsave_in_progress: 1,
      current_fork_perc: 12.5,
      rdb_last_bgsave_status: 'ok',
      latest_fork_usec: -1,
      db0: 'keys=3,expires=0,avg_ttl=0',
    });
  });

  it('answers null for absent or non-numeric fields', () => {
    expect(infoNumber(info, 'current_fork_perc')).toBe(12.5);
    expect(infoNumber(info, 'rdb_last_bgsave_status')).toBeNull();
    expect(infoNumber(info, 'current_cow_size')).toBeNull();
  });
});
