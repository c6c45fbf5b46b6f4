import { describe, expect, it } from 'vitest';
import { ServiceUnavailableError } from '../service/errors.js';
import { asServiceError, isRedisUnavailable } from './errors.js';

const withCode = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:6379`), { code });
const named = (name: string, message = 'x') => Object.assign(new Error(message), { name });

describe('isRedisUnavailable', () => {
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
    ['the service’s own class', new ServiceUnavailableError('the queue did not become ready')],
    ['a wrapped cause', new Error('submit failed', { cause: withCode('ETIMEDOUT') })],
    ['an AggregateError of failed connects', new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')], '')],
  ])('recognises %s', (_label, err) => {
    expect(isRedisUnavailable(err)).toBe(true);
  });

  it.each([
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a Redis command error', named('ReplyError', 'WRONGTYPE Operation against a key holding the wrong kind of value')],
    ['a message that only mentions a connection', new Error('Connection is closed. Or is it?')],
    ['an error merely named like the service’s class', named('ServiceUnavailableError')],
    ['a string', 'ECONNREFUSED'],
    ['null', null],
  ])('leaves alone %s', (_label, err) => {
    expect(isRedisUnavailable(err)).toBe(false);
  });

  it('does not loop on a cause cycle', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(isRedisUnavailable(a)).toBe(false);
  });
});

describe('asServiceError', () => {
  it('turns a Redis outage into ServiceUnavailableError with the original as cause', () => {
    const refused = withCode('ECONNREFUSED');
    const translated = asServiceError(refused);
    expect(translated).toBeInstanceOf(ServiceUnavailableError);
    expect((translated as Error).cause).toBe(refused);
    expect((translated as Error).message).toBe('Redis is unavailable: connect ECONNREFUSED 127.0.0.1:6379');
  });

  it('passes the service’s own errors and everything else through unchanged', () => {
    const own = new ServiceUnavailableError('closed');
    const bug = new TypeError('x is undefined');
    expect(asServiceError(own)).toBe(own);
    expect(asServiceError(bug)).toBe(bug);
  });
});
