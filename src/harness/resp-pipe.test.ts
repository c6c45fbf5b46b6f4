import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { encodeArgs, encodeCommand, ReplyCounter } from './resp-pipe.js';

// One of each reply type a probe sees: status, integer, bulk, nil bulk, error, nested array.
const REPLIES = ['+OK\r\n', ':42\r\n', '$5\r\nhello\r\n', '$-1\r\n', '-ERR wrong type\r\n', '*2\r\n$1\r\na\r\n*1\r\n:1\r\n'];
const STREAM = Buffer.from(REPLIES.join(''));

describe('encodeCommand', () => {
  it('writes RESP2 multi-bulk with byte lengths', () => {
    expect(encodeCommand(['HSET', 'k:1', 'é']).toString()).toBe('*3\r\n$4\r\nHSET\r\n$3\r\nk:1\r\n$2\r\né\r\n');
  });

  it('appends shared pre-encoded arguments and counts them', () => {
    expect(encodeCommand(['SADD', 'k:2'], encodeArgs(['7', 'ab'])).toString()).toBe('*4\r\n$4\r\nSADD\r\n$3\r\nk:2\r\n$1\r\n7\r\n$2\r\nab\r\n');
  });
});

describe('ReplyCounter', () => {
  it('counts top-level replies and keeps the error text', () => {
    const counter = new ReplyCounter();
    counter.feed(STREAM);
    expect(counter.replies).toBe(REPLIES.length);
    expect(counter.errors).toEqual(['ERR wrong type']);
  });

  test.prop([fc.array(fc.integer({ min: 1, max: STREAM.length - 1 }), { maxLength: 8 })])(
    'counts the same however the stream is split',
    (cuts) => {
      const points = [...new Set(cuts)].sort((a, b) => a - b);
      const counter = new ReplyCounter();
      let from = 0;
      for (const at of [...points, STREAM.length]) {
        counter.feed(STREAM.subarray(from, at));
        from = at;
      }
      expect(counter.replies).toBe(REPLIES.length);
      expect(counter.errors).toEqual(['ERR wrong type']);
    },
  );

  it('waits for the rest of a bulk reply', () => {
    const counter = new ReplyCounter();
    counter.feed(Buffer.from('$5\r\nhel'));
    expect(counter.replies).toBe(0);
    counter.feed(Buffer.from('lo\r\n'));
    expect(counter.replies).toBe(1);
  });
});
