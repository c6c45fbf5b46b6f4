import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseAxis } from './axis-option.js';

describe('--axis', () => {
  it('reads values, numbers where they are numbers', () => {
    expect(parseAxis('workload.writesPerSec=1000,5000,2e4')).toEqual([{ path: 'workload.writesPerSec', values: [1000, 5000, 20000] }]);
    expect(parseAxis('kernel.thp=never,always')).toEqual([{ path: 'kernel.thp', values: ['never', 'always'] }]);
    expect(parseAxis('dataset.usedMemoryBytes=8GiB,16GiB')).toEqual([{ path: 'dataset.usedMemoryBytes', values: ['8GiB', '16GiB'] }]);
  });

  it('reads a range with its steps and scale, and adds to the axes given before', () => {
    const first = parseAxis('kernel.thp=never,always');
    expect(parseAxis('workload.writesPerSec=1000..100000:20:log', first)).toEqual([
      { path: 'kernel.thp', values: ['never', 'always'] },
      { path: 'workload.writesPerSec', from: 1000, to: 100000, steps: 20, scale: 'log' },
    ]);
    expect(parseAxis('snapshot.durationSec=10..60:6')).toEqual([{ path: 'snapshot.durationSec', from: 10, to: 60, steps: 6, scale: 'linear' }]);
  });

  it('refuses a spec without a path or values', () => {
    expect(() => parseAxis('=1,2')).toThrow(InvalidArgumentError);
    expect(() => parseAxis('workload.writesPerSec')).toThrow(InvalidArgumentError);
    expect(() => parseAxis('workload.writesPerSec=')).toThrow(InvalidArgumentError);
  });
});
