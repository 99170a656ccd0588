/** Correlation ids from clients are adopted only when safe; HTML pages carry security headers. */
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCorrelationId } from '../../src/context.ts';
import { cspHeader, setHtmlSecurityHeaders } from '../../src/http/security-headers.ts';
import { errorBody, startTestApp, type TestApp } from '../helpers/app.ts';
import { rawRequest } from '../helpers/raw-http.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('X-Correlation-Id', () => {
  it('adopts a safe id, in the header and in the error body', async () => {
    const res = await app.fetch('/api/v1/nope', { headers: { 'x-correlation-id': 'support-case-12345' } });
    expect(res.headers.get('x-correlation-id')).toBe('support-case-12345');
    expect((await errorBody(res)).correlationId).toBe('support-case-12345');
  });

  it('replaces a 10,000-character id with a generated one', async () => {
    const res = await app.fetch('/api/v1/nope', { headers: { 'x-correlation-id': 'a'.repeat(10_000) } });
    expect(res.headers.get('x-correlation-id')).toMatch(UUID_RE);
    expect((await errorBody(res)).correlationId).toBe(res.headers.get('x-correlation-id'));
    expect(app.logs.some((l) => l.includes('a'.repeat(200)))).toBe(false);
  });

  it('replaces ids with control characters, spaces, markup or 8-bit bytes (sent raw, as a client could)', async () => {
    for (const bad of ['abc\tdefghij', 'abc defghij', 'x<script>alert(1)</script>', 'caf\u00e9-1234567', 'short']) {
      const res = await rawRequest(app.url, { method: 'GET', path: '/api/v1/nope', headers: { 'x-correlation-id': bad } });
      expect(res.status, bad).toBe(404);
      const id = res.headers.get('x-correlation-id');
      expect(id, bad).toMatch(UUID_RE);
      expect((await errorBody(res)).correlationId).toBe(id);
    }
  });

  it('accepts only the safe pattern and length in the function itself', () => {
    expect(newCorrelationId('req-2024.01:abc_XYZ')).toBe('req-2024.01:abc_XYZ');
    expect(newCorrelationId('x'.repeat(128))).toBe('x'.repeat(128));
    for (const bad of ['x'.repeat(129), 'a'.repeat(10_000), 'abc\u0000defghij', 'abc\ndefghij', 'abc\u001bdefgh', 'abc\u007fdefgh', '', 'seven77', 42, undefined]) {
      expect(newCorrelationId(bad)).toMatch(UUID_RE);
    }
  });
});

function expectHtmlSecurityHeaders(res: Response) {
  const csp = res.headers.get('content-security-policy') ?? '';
  expect(csp).toMatch(/frame-ancestors 'none'/);
  expect(csp).toMatch(/object-src 'none'/);
  expect(csp).toMatch(/base-uri 'none'/);
  expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
  expect(res.headers.get('x-frame-options')).toBe('DENY');
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  return csp;
}

describe('security headers on HTML pages', () => {
  it('/docs: a same-origin CSP that still lets Swagger UI run (scripts from /docs/assets only)', async () => {
    const res = await app.fetch('/docs', { token: null });
    expect(res.status).toBe(200);
    const csp = expectHtmlSecurityHeaders(res);
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).toMatch(/default-src 'self'/);
    // The page has no inline script the policy would block.
    expect(await res.text()).not.toMatch(/<script>(?!<\/script>)/);
    const asset = await app.fetch('/docs/assets/swagger-ui-bundle.js', { token: null });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('the OAuth callback page: no scripts at all, no Referer (its URL holds the code), not cached', async () => {
    for (const q of ['', '?state=unknown&code=x', '?error=access_denied&state=x']) {
      const res = await app.fetch(`/oauth/callback${q}`, { token: null });
      expect(res.status, q).toBeGreaterThanOrEqual(400);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      const csp = expectHtmlSecurityHeaders(res);
      expect(csp).toMatch(/default-src 'none'/);
      expect(csp).toMatch(/script-src 'none'/);
      expect(csp).toMatch(/form-action 'none'/);
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
  });

  it('the API JSON answers are not given an HTML policy by mistake', async () => {
    const res = await app.fetch('/api/v1/workspace');
    expect(res.headers.get('content-security-policy')).toBeNull();
  });

  it('setHtmlSecurityHeaders is reusable by other pages (the Slack install page) with their own directives', async () => {
    const page = express();
    page.get('/install', (_req, res) => {
      setHtmlSecurityHeaders(res, { 'img-src': "'self' https://platform.slack-edge.com" });
      res.type('html').send('<p>Add to Slack</p>');
    });
    const server = page.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const { port } = server.address() as { port: number };
      const res = await fetch(`http://127.0.0.1:${port}/install`);
      const csp = expectHtmlSecurityHeaders(res);
      expect(csp).toContain("img-src 'self' https://platform.slack-edge.com");
    } finally {
      server.close();
    }
    expect(cspHeader({ 'default-src': "'self'", 'frame-ancestors': "'none'" })).toBe("default-src 'self'; frame-ancestors 'none'");
  });
});
