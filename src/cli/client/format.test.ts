import { describe, expect, it } from 'vitest';
import { columnTable, csvOfObject, csvTable, humanValue, keyValueTable } from './format.js';

describe('human units read off field names', () => {
  it('formats sizes, durations and percentages by suffix', () => {
    expect(humanValue('cowPeakBytes', 697_892_864)).toBe('665.56 MiB');
    expect(humanValue('latestForkUsec', 721)).toBe('721 µs');
    expect(humanValue('latestForkUsec', 51_643)).toBe('51.64 ms');
    expect(humanValue('latestForkUsec', 2_500_000)).toBe('2.5 s');
    expect(humanValue('faultStallMsTotal', 10_392.4)).toBe('10.39 s');
    expect(humanValue('rdbBgsaveTimeSec', 0.25)).toBe('250 ms');
    expect(humanValue('startSec', 0)).toBe('0 s');
    expect(humanValue('bytes', 271_418_640)).toBe('258.84 MiB');
    expect(humanValue('linkBytesPerSec', 125_000_000)).toBe('119.21 MiB/s');
    expect(humanValue('headroomPercent', 10)).toBe('10%');
    expect(humanValue('workload.writesPerSec', 20000)).toBe('20000/s');
    expect(humanValue('writesPerSecAchieved', 3550.5)).toBe('3550.5/s');
    expect(humanValue('keys', 5_722_554)).toBe('5722554');
    expect(humanValue('atRisk', null)).toBe('—');
  });
});

describe('tables', () => {
  it('aligns keys and values, lists of objects as columns under their name', () => {
    const text = keyValueTable({ id: 'x', oom: { peakBytes: 2 ** 30 }, probes: [{ value: 1, fits: true }, { value: 20, fits: false }], links: { self: '/' } }, new Set(['links']));
    expect(text).toBe(['id             x', 'oom.peakBytes  1.00 GiB', '', 'probes:', 'value  fits', '    1  true', '   20  false', ''].join('\n'));
  });

  it('shows a value in the unit beside it', () => {
    const text = keyValueTable({ answer: { value: 1104, unit: 'writes/s' }, rules: [{ rule: 'aws', value: 201_326_592, unit: 'bytes' }] });
    expect(text).toBe(['answer.value  1104 writes/s', 'answer.unit   writes/s', '', 'rules:', 'rule  value       unit', 'aws   192.00 MiB  bytes', ''].join('\n'));
  });

  it('right-aligns numeric columns', () => {
    expect(columnTable(['name', 'peakBytes'], [['a', 1024], ['bb', 2 ** 20]])).toBe('name  peakBytes\na      1.00 KiB\nbb     1.00 MiB\n');
  });

  it('quotes CSV fields that hold commas, quotes or line breaks, and keeps raw numbers', () => {
    expect(csvTable(['a', 'b'], [['x,y', 'say "hi"'], [1.5, null]])).toBe('a,b\n"x,y","say ""hi"""\n1.5,\n');
    expect(csvOfObject({ id: 's', summary: { cowPeakBytes: 123 } })).toBe('id,summary.cowPeakBytes\ns,123\n');
  });
});
