import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { testApp } from '../support/http-app.js';

describe('GET / and its files', () => {
  it('serves the page, its script and stylesheet under a CSP that allows them and no inline script', async () => {
    const { app } = testApp();
    const page = await request(app).get('/').expect(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.text).toContain('<script src="/web/app.js" defer></script>');
    expect(page.text).toContain('href="/docs"');
    // Scripts come from files only: no inline script or handler for the CSP to allow.
    expect(page.text).not.toMatch(/<script>|<script(?![^>]*\ssrc=)[^>]*>|\son[a-z]+=/i);
    const csp = page.headers['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);

    const script = await request(app).get('/web/app.js').expect(200);
    expect(script.headers['content-type']).toMatch(/^text\/javascript/);
    expect(script.text).toContain("fetch(path, { ...init, headers: headers(init.headers) })");
    await request(app).get('/web/app.css').expect(200).expect('content-type', /^text\/css/);
    await request(app).get('/web/missing.js').expect(404).expect('content-type', /^application\/problem\+json/);
  });
});
