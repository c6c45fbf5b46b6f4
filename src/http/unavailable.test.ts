import { describe, expect, it } from 'vitest';
import { DependencyTimeoutError, isUnavailableError, withDeadline } from './unavailable.js';

const withCode = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:6379`), { code });
const named = (name: string, message = 'x') => Object.assign(new Error(message), { name });

describe('isUnavailableError', () => {
  it.each([
    ['a refused connection', withCode('ECONNREFUSED')],
    ['a reset connection', withCode('ECONNRESET')],
    ['ioredis without offline queue', new Error("Stream isn't writeable and enableOfflineQueue options is false")],
    ['ioredis after the socket closed', new Error('Connection is closed.')],
    ['ioredis command timeout', new Error('Command timed out')],
    ['ioredis retries exhausted', named('MaxRetriesPerRequestError', 'Reached the max retries per request limit (which is 1).')],
    ['a Redis still loading its dataset', named('ReplyError', 'LOADING Redis is loading the dataset in memory')],
    ['a replica that lost its master', named('ReplyError', 'MASTERDOWN Link with MASTER is down')],
    ['a Redis busy with a script', named('ReplyError', 'BUSY Redis is busy running a script.')],
    ['a Redis over maxmemory', named('ReplyError', "OOM command not allowed when used memory > 'maxmemory'.")],
    ['the service’s own class', named('ServiceUnavailableError')],
    ['a deadline', new DependencyTimeoutError('get', 5)],
    ['a wrapped cause', new Error('submit failed', { cause: withCode('ETIMEDOUT') })],
    ['an AggregateError of failed connects', new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')], '')],
  ])('recognises %s', (_label, err) => {
    expect(isUnavailableError(err)).toBe(true);
  });

  it.each([
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a Redis command error', named('ReplyError', 'WRONGTYPE Operation against a key holding the wrong kind of value')],
    ['a message that only mentions a connection', new Error('Connection is closed. Or is it?')],
    ['a string', 'ECONNREFUSED'],
    ['null', null],
  ])('leaves alone %s', (_label, err) => {
    expect(isUnavailableError(err)).toBe(false);
  });

  it('does not loop on a cause cycle', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(isUnavailableError(a)).toBe(false);
  });
});

describe('withDeadline', () => {
  it('passes the value through when in time', async () => {
    await expect(withDeadline(Promise.resolve(7), 50, 'x')).resolves.toBe(7);
  });

  it('rejects with DependencyTimeoutError when the promise never settles', async () => {
    const started = Date.now();
    await expect(withDeadline(new Promise(() => {}), 30, 'get')).rejects.toThrow(DependencyTimeoutError);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
