import { describe, expect, it } from 'vitest';
import { commandsPerWrite, SegmentCommands, type LoadSegment } from './segment-commands.js';

const segment = (over: Partial<LoadSegment>): LoadSegment => ({
  name: 'g',
  type: 'hash',
  prefix: 's0',
  keys: 100,
  elements: 16,
  elementBytes: 32,
  fieldBytes: 8,
  intMembers: false,
  writeOp: 'HSET',
  commandShare: 1,
  keyOffset: 0,
  ...over,
});

describe('segment commands', () => {
  it('fills a hash with every field in one HSET and rewrites an existing field with a value of the same size', () => {
    const c = new SegmentCommands(segment({}), 1);
    const fill = c.fill(7);
    expect(fill.slice(0, 2)).toEqual(['HSET', 's0:7']);
    expect(fill).toHaveLength(2 + 2 * 16);
    expect(fill[2]).toBe('f0000000');
    expect(fill[3]).toHaveLength(24);
    const [write] = c.write(7, 3);
    expect(write!.slice(0, 3)).toEqual(['HSET', 's0:7', fill[2 + 2 * 3]]);
    expect(write![3]).toHaveLength(24);
  });

  it('removes the member SADD added last, and keeps integer members of a 100-member set within int16', () => {
    const c = new SegmentCommands(segment({ type: 'set', elements: 100, elementBytes: 2, fieldBytes: 0, intMembers: true, writeOp: 'SREM+SADD' }), 1);
    const members = c.fill(0).slice(2).map(Number);
    expect(Math.max(...members)).toBeLessThan(2 ** 15);
    const [, sadd] = c.write(0, 99);
    const [srem] = c.write(0, 99);
    expect(srem![2]).toBe(sadd![2]);
    expect(members).not.toContain(Number(sadd![2]));
  });

  it('names sorted-set members the same in every process with the same seed', () => {
    const spec = segment({ type: 'zset', elementBytes: 20, fieldBytes: 0, writeOp: 'ZINCRBY' });
    const fill = new SegmentCommands(spec, 9).fill(3);
    const [write] = new SegmentCommands(spec, 9).write(3, 5);
    expect(write).toEqual(['ZINCRBY', 's0:3', '1', fill[2 + 2 * 5 + 1]]);
    expect(write![3]).toHaveLength(20);
  });

  it('counts a pair as two commands', () => {
    expect(commandsPerWrite('LPUSH+RPOP')).toBe(2);
    expect(commandsPerWrite('INCR')).toBe(1);
    const [push, pop] = new SegmentCommands(segment({ type: 'list', elementBytes: 50, fieldBytes: 0, writeOp: 'LPUSH+RPOP' }), 1).write(4, 0);
    expect(push![0]).toBe('LPUSH');
    expect(push![2]).toHaveLength(50);
    expect(pop).toEqual(['RPOP', 's0:4']);
  });
});
