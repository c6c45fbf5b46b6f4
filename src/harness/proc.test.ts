import { describe, expect, it } from 'vitest';
import { parseProcStat, parseSmapsRollup, readProcStat, readSmapsRollup } from './proc.js';

describe('/proc parsing', () => {
  it('reads smaps_rollup fields as bytes', () => {
    const text = [
      '55d0c9a3e000-7ffd6b5f1000 ---p 00000000 00:00 0                          [rollup]',
      'Rss:             1103851 kB',
      'Private_Dirty:    677864 kB',
      'AnonHugePages:         0 kB',
    ].join('\n');
    expect(parseSmapsRollup(text)).toEqual({ Rss: 1103851 * 1024, Private_Dirty: 677864 * 1024, AnonHugePages: 0 });
  });

  it('reads stat fields after the command name, which may hold spaces and parentheses', () => {
    // Fields 3… of proc(5): state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime … starttime vsize rss
    const rest = 'Z 2581 2581 1 0 -1 4194560 170180 0 3 0 1199 1646 0 0 20 0 1 0 812345 1200000000 269497';
    const stat = parseProcStat(`2603 (redis-rdb (bg) save) ${rest}`, 100);
    expect(stat).toEqual({
      pid: 2603,
      state: 'Z',
      ppid: 2581,
      minflt: 170180,
      majflt: 3,
      utimeSec: 11.99,
      stimeSec: 16.46,
      startTicks: 812345,
      rssBytes: 269497 * 4096,
    });
  });

  it('reads this process and reports a missing one as undefined', () => {
    const self = readProcStat(process.pid);
    expect(self?.pid).toBe(process.pid);
    expect(self?.rssBytes).toBeGreaterThan(1e6);
    expect(readSmapsRollup(process.pid)?.Rss).toBeGreaterThan(1e6);
    expect(readProcStat(2 ** 22 + 1)).toBeUndefined();
  });
});
