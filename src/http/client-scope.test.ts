import { describe, expect, it } from 'vitest';
import { clientScope } from './client-scope.js';

describe('clientScope', () => {
  it('is the client address: two addresses, two scopes; one address, one scope', () => {
    expect(clientScope({ ip: '10.0.0.1' })).toBe('ip:10.0.0.1');
    expect(clientScope({ ip: '10.0.0.1' })).toBe(clientScope({ ip: '10.0.0.1' }));
    expect(clientScope({ ip: '10.0.0.1' })).not.toBe(clientScope({ ip: '10.0.0.2' }));
    expect(clientScope({ ip: '::ffff:127.0.0.1' })).toBe('ip:::ffff:127.0.0.1');
  });
});
