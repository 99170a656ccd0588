/**
 * Each class of bad input from issue 9 that used to get a 5xx now gets a specific 4xx in the error
 * shape, with a message and details naming the field.
 */
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connection } from '../../src/entities/connection.ts';
import { toAppError } from '../../src/errors.ts';
import { errorBody, json, startTestApp, type TestApp } from '../helpers/app.ts';
import { rawRequest } from '../helpers/raw-http.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const UUID = '6f1c2b0e-4a7d-4c59-9a53-0d7b9f0e2c11';

/** Through a plain socket: nock's interceptor would decode a gzip/br-labelled body on the client side. */
const viaSocket = (method: string, path: string, body: string | Uint8Array, headers: Record<string, string>) =>
  rawRequest(app.url, { method, path, body, headers: { authorization: `Bearer ${app.ownerToken}`, 'content-type': 'application/json', ...headers } });

/** Asserts status, code, the field in the message and in the details; returns the details. */
async function expectFieldError(res: Response, status: number, code: string, field: string) {
  expect(res.status).toBe(status);
  const err = await errorBody(res);
  expect(err.code).toBe(code);
  expect(err.message).toContain(field);
  const [location, ...path] = field.split('.');
  const named = (err.details as Array<{ location: string; path: string }>).find((d) => `${d.location}.${d.path}`.startsWith(`${location}.${path.join('.')}`));
  expect(named, JSON.stringify(err.details)).toBeDefined();
  return err;
}

const raw = (method: string, body: string | Uint8Array, headers: Record<string, string> = {}) => ({
  method,
  body,
  headers: { 'content-type': 'application/json', ...headers },
});

describe('NUL bytes and lone surrogates are refused at the boundary, naming the field', () => {
  it('a NUL in a filter (any member could turn it into a 503 before)', async () => {
    const err = await expectFieldError(await app.fetch('/api/v1/connections?provider=%00'), 400, 'validation_failed', 'query.provider');
    expect(err.message).toMatch(/NUL/);
    await expectFieldError(await app.fetch('/api/v1/audit-log?action=a%00b'), 400, 'validation_failed', 'query.action');
    // …also in a query parameter the route does not read.
    await expectFieldError(await app.fetch('/api/v1/workspace?x=%00'), 400, 'validation_failed', 'query.x');
  });

  it('a NUL in a body string, in a record key, and in a path parameter', async () => {
    await expectFieldError(await app.fetch('/api/v1/workspace', { method: 'PATCH', json: { name: 'a\u0000b' } }), 400, 'validation_failed', 'body.name');
    const key = await app.fetch('/api/v1/connections', { method: 'POST', json: { provider: 'linear', credentials: { 'api\u0000Key': 'x' } } });
    const err = await expectFieldError(key, 400, 'validation_failed', 'body.credentials.api\\u0000Key');
    expect(err.message).toMatch(/key/);
    await expectFieldError(await app.fetch('/api/v1/connections/%00/logs'), 400, 'validation_failed', 'params.id');
  });

  it('a lone surrogate (jsonb refused it with a 500)', async () => {
    const res = await app.fetch('/api/v1/workspace', raw('PATCH', '{"name":"\\ud800"}'));
    const err = await expectFieldError(res, 400, 'validation_failed', 'body.name');
    expect(err.message).toMatch(/surrogate/);
    const low = await app.fetch('/api/v1/connections', raw('POST', '{"provider":"linear","credentials":{"apiKey":"x\\udc00y"}}'));
    await expectFieldError(low, 400, 'validation_failed', 'body.credentials.apiKey');
  });

  it('a NUL that reaches PostgreSQL anyway is a 400, not a 503 (the net under the boundary)', async () => {
    const err = await app.pb.rt.em().find(Connection, { providerSlug: 'a\u0000b' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeDefined();
    expect([toAppError(err).status, toAppError(err).code]).toEqual([400, 'validation_failed']);
  });
});

describe('prototype keys and deep nesting', () => {
  it('refuses __proto__ and constructor keys', async () => {
    await expectFieldError(await app.fetch('/api/v1/workspace', raw('PATCH', '{"__proto__":{"name":"x"},"name":"ok"}')), 400, 'validation_failed', 'body.__proto__');
    const ctor = await app.fetch('/api/v1/connections', { method: 'POST', json: { provider: 'linear', credentials: { constructor: 'x' } } });
    await expectFieldError(ctor, 400, 'validation_failed', 'body.credentials.constructor');
  });

  it('refuses nesting deeper than 32 levels without overflowing the stack', async () => {
    const deep = `{"name":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const err = await expectFieldError(await app.fetch('/api/v1/workspace', raw('PATCH', deep)), 400, 'validation_failed', 'body.name');
    expect(err.message).toMatch(/nested more than 32/);
  });
});

describe('bodies body-parser cannot read', () => {
  const plain = '{"name":"Renamed"}';
  for (const enc of ['gzip', 'br', 'deflate']) {
    it(`a plain body labelled Content-Encoding: ${enc} is a 400 naming the encoding`, async () => {
      const res = await viaSocket('PATCH', '/api/v1/workspace', plain, { 'content-encoding': enc });
      const err = await expectFieldError(res, 400, 'validation_failed', 'body');
      expect(err.message).toContain(enc);
    });
  }

  it('a body really compressed as it says is accepted (the decoding itself still works)', async () => {
    for (const [enc, data] of [['gzip', gzipSync(plain)], ['br', brotliCompressSync(plain)]] as const) {
      const res = await viaSocket('PATCH', '/api/v1/workspace', data, { 'content-encoding': enc });
      expect(res.status, enc).toBe(200);
    }
  });

  it('an unsupported Content-Encoding or charset is a 415; a body over 1 MB is a 413', async () => {
    const enc = await expectFieldError(await viaSocket('PATCH', '/api/v1/workspace', plain, { 'content-encoding': 'compress' }), 415, 'unsupported_media_type', 'body');
    expect(enc.message).toContain('compress');
    await expectFieldError(await app.fetch('/api/v1/workspace', raw('PATCH', plain, { 'content-type': 'application/json; charset=latin1' })), 415, 'unsupported_media_type', 'body');
    await expectFieldError(await app.fetch('/api/v1/workspace', raw('PATCH', plain, { 'content-type': 'application/json; charset=utf-99' })), 415, 'unsupported_media_type', 'body');
    const big = JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) });
    await expectFieldError(await app.fetch('/api/v1/workspace', raw('PATCH', big)), 413, 'payload_too_large', 'body');
  });
});

describe('malformed percent-encoding in a path parameter', () => {
  for (const bad of ['%ZZ', '%C0%AF', '%E0%A4%A', '%']) {
    it(`${bad} is a 400 naming the parameter`, async () => {
      await expectFieldError(await app.fetch(`/api/v1/connections/${bad}/logs`), 400, 'validation_failed', 'params.id');
      await expectFieldError(await app.fetch(`/api/v1/providers/${bad}/app`, { method: 'DELETE' }), 400, 'validation_failed', 'params.slug');
    });
  }
});

describe('forged pagination cursors', () => {
  const forged: Array<[string, string]> = [
    ['a non-UUID id', b64({ t: '2024-01-01T00:00:00.000Z', id: "x' or 1=1" })],
    ['a date near +275760', b64({ t: '+275760-09-13T00:00:00.000Z', id: UUID })],
    ['a date near -271821', b64({ t: '-271821-04-20T00:00:00.000Z', id: UUID })],
    ['an id of the wrong type', b64({ t: '2024-01-01T00:00:00.000Z', id: 42 })],
    ['JSON null', b64(null)],
    ['not base64 JSON at all', 'notacursor'],
  ];
  for (const path of ['/api/v1/members', '/api/v1/tokens']) {
    for (const [what, cursor] of forged) {
      it(`${path} with ${what} is a 400 naming query.cursor`, async () => {
        await expectFieldError(await app.fetch(`${path}?cursor=${cursor}`), 400, 'validation_failed', 'query.cursor');
      });
    }
  }

  it('a real cursor still pages', async () => {
    for (let i = 0; i < 2; i++) expect((await app.fetch('/api/v1/tokens', { method: 'POST', json: { name: `t${i}` } })).status).toBe(201);
    const first = await app.json('/api/v1/tokens?limit=1');
    expect(first.nextCursor).toEqual(expect.any(String));
    const next = await app.fetch(`/api/v1/tokens?limit=1&cursor=${first.nextCursor}`);
    expect(next.status).toBe(200);
    expect((await json(next)).data[0].id).not.toBe(first.data[0].id);
  });

  it('an out-of-range id cursor on the id-paged lists is a 400', async () => {
    for (const cursor of ['99999999999999999999', '1e300', '-1', '0', '1.5', 'abc']) {
      for (const path of ['/api/v1/events', '/api/v1/audit-log']) {
        await expectFieldError(await app.fetch(`${path}?cursor=${cursor}`), 400, 'validation_failed', 'query.cursor');
      }
    }
  });
});

describe('the OAuth callback page', () => {
  it('answers a NUL in its state with a 400 page, not a 503', async () => {
    const res = await app.fetch('/oauth/callback?state=ab%00cd&code=x', { token: null });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('retry-after')).toBeNull();
    expect(await res.text()).toMatch(/Authorization not completed/);
  });
});
