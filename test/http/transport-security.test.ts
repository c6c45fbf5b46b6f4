import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { testApp } from '../support/http-app.js';

describe('Strict-Transport-Security', () => {
  it('is absent over plain HTTP, even when a client claims X-Forwarded-Proto: https without TRUST_PROXY', async () => {
    const { app } = testApp();
    const plain = await request(app).get('/livez');
    expect(plain.status).toBe(200);
    expect(plain.headers['strict-transport-security']).toBeUndefined();
    const claimed = await request(app).get('/livez').set('X-Forwarded-Proto', 'https');
    expect(claimed.headers['strict-transport-security']).toBeUndefined();
  });

  it('is sent behind a trusted TLS-terminating proxy that says https, and not when it says http', async () => {
    const { app } = testApp({ config: { trustProxyHops: 1 } });
    const tls = await request(app).get('/livez').set('X-Forwarded-Proto', 'https');
    expect(tls.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    const plain = await request(app).get('/livez').set('X-Forwarded-Proto', 'http');
    expect(plain.headers['strict-transport-security']).toBeUndefined();
  });

  it('TRUST_PROXY is a hop count, 0 by default', () => {
    expect(loadConfig({}).trustProxyHops).toBe(0);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxyHops).toBe(2);
    expect(() => loadConfig({ TRUST_PROXY: 'yes' })).toThrow(/TRUST_PROXY/);
  });
});
