import { describe, expect, it } from 'vitest';
import { assertReadOnly, parseRedisUrl, READ_ONLY_COMMANDS } from './live.js';
import { WRITE_COMMANDS } from './write-commands.js';

describe('the live inspection', () => {
  it('sends only commands the command table does not flag as writes', () => {
    const writes = [...READ_ONLY_COMMANDS].filter((c) => WRITE_COMMANDS.has(c) || WRITE_COMMANDS.has(c.split('|')[0]!));
    expect(writes).toEqual([]);
    expect(() => assertReadOnly('OBJECT', ['IDLETIME', 'k'])).not.toThrow();
    expect(() => assertReadOnly('SCAN', ['0', 'COUNT', 100])).not.toThrow();
    for (const [command, ...args] of [['SET', 'k', 'v'], ['CONFIG', 'SET', 'save', ''], ['KEYS', '*'], ['FLUSHALL'], ['MEMORY', 'PURGE'], ['DEBUG', 'OBJECT', 'k']] as const) {
      expect(() => assertReadOnly(command, args), command).toThrow(/not a read-only command/);
    }
  });

  it('reads redis:// and rediss:// URLs, and never puts the password in the label', () => {
    expect(parseRedisUrl('redis://127.0.0.1:6470')).toEqual({ host: '127.0.0.1', port: 6470, username: undefined, password: undefined, tls: false, label: '127.0.0.1:6470' });
    expect(parseRedisUrl('rediss://app:p%40ss@cache.example.com')).toEqual({
      host: 'cache.example.com',
      port: 6379,
      username: 'app',
      password: 'p@ss',
      tls: true,
      label: 'cache.example.com:6379',
    });
    expect(parseRedisUrl('redis://:secret@[::1]:7000', true)).toMatchObject({ host: '::1', port: 7000, username: undefined, password: 'secret', tls: true });
    expect(() => parseRedisUrl('http://host:6379')).toThrow(/redis:\/\/ or rediss:\/\//);
    expect(() => parseRedisUrl('not a url')).toThrow(/not a URL/);
  });
});
