import { describe, expect, it } from 'vitest';
import { ScenarioSchema } from './scenario.js';
import { byteSize, parseByteSize } from './units.js';

describe('byte sizes', () => {
  it('reads counts, SI and IEC units', () => {
    expect(parseByteSize('100')).toBe(100);
    expect(parseByteSize('512MB')).toBe(512e6);
    expect(parseByteSize('16GiB')).toBe(16 * 2 ** 30);
    expect(parseByteSize('1.5 kib')).toBe(1536);
    expect(parseByteSize('3 parsecs')).toBeUndefined();
    expect(parseByteSize('-1GB')).toBeUndefined();
  });

  it('names the limits when a size is out of range, missing or not a size', () => {
    const field = byteSize(1024, 2048);
    expect(field.parse('2KiB')).toBe(2048);
    const messages = (input: unknown) => field.safeParse(input).error?.issues.map((i) => i.message).join(' ');
    expect(messages(4096)).toMatch(/1\.00 KiB to 2\.00 KiB, got 4096/);
    expect(messages('1.5')).toMatch(/whole number of bytes/);
    expect(messages(undefined)).toMatch(/^required/);
    expect(messages(true)).toMatch(/got boolean/);
  });

  it('reports a missing value size on its path', () => {
    const result = ScenarioSchema.safeParse({ dataset: { keys: 10 } });
    expect(result.error?.issues[0]).toMatchObject({ path: ['dataset', 'valueBytes'] });
    expect(result.error?.issues[0]?.message).toMatch(/valueBytes is required/);
  });
});
