import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.ts';
import { createProviderHttp, paginate, parseResetHeader, parseRetryAfter, type ProviderHttpOptions } from '../../src/providers/_shared/http.ts';
import { defineProvider } from '../../src/providers/_shared/define.ts';
import type { Credentials, ProviderDefinition } from '../../src/providers/types.ts';
import { VERSION } from '../../src/version.ts';
import { captureLogger, caught, noSleep } from './helpers.ts';

const BASE = 'https://api.example.test';
const TOKEN = 'tok_live_abcdefghijklmnop';
const SECRET = 'hunter2-very-secret-value';

const baseDefinition = {
  slug: 'example',
  displayName: 'Example',
  category: 'other',
  docsUrl: 'https://example.test/docs',
  auth: {
    oauth2: {
      authorizeUrl: 'https://example.test/authorize',
      tokenUrl: 'https://example.test/token',
      pkce: false,
      clientAuth: 'body',
      scopeSeparator: ' ',
      defaultScopes: [],
      refresh: 'static',
    },
    credentials: {
      kind: 'basic',
      fields: [
        { name: 'user', label: 'User', secret: false },
        { name: 'password', label: 'Password', secret: true },
      ],
      instructions: 'x',
    },
  },
  apiBaseUrl: `${BASE}/v1`,
  rateLimit: {
    signals: [
      { status: 403, header: { name: 'x-ratelimit-remaining', equals: '0' } },
      { status: 400, bodyIncludes: 'RATELIMITED' },
    ],
    resetHeader: { name: 'x-ratelimit-reset', format: 'epoch_seconds' },
  },
  objects: [],
} satisfies ProviderDefinition;

const provider = defineProvider(baseDefinition, { test: async () => ({ accountId: '1', accountName: 'x' }) });
const oauth: Credentials = { type: 'oauth2', accessToken: TOKEN, scopes: [] };

function client(over: Partial<ProviderHttpOptions> = {}) {
  const { logger, logs } = captureLogger();
  const http = createProviderHttp({ provider, baseUrl: `${BASE}/v1`, credentials: oauth, logger, retry: noSleep, ...over });
  return { http, logs };
}

describe('createProviderHttp', () => {
  it('sends auth, User-Agent and JSON, and resolves paths against the base path', async () => {
    const scope = nock(BASE, {
      reqheaders: {
        authorization: `Bearer ${TOKEN}`,
        'user-agent': `Patchbay/${VERSION}`,
        'content-type': 'application/json',
        accept: 'application/json',
      },
    })
      .post('/v1/things', { name: 'a' })
      .query({ page: '2' })
      .reply(201, { id: 7 }, { 'content-type': 'application/json; charset=utf-8' });
    const { http } = client();
    const res = await http.request<{ id: number }>({ method: 'POST', url: '/things', query: { page: 2, skip: undefined }, body: { name: 'a' } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: 7 });
    scope.done();
  });

  it('uses Basic of the first two declared fields for basic credentials', async () => {
    const expected = `Basic ${Buffer.from(`bob:${SECRET}`).toString('base64')}`;
    nock(BASE, { reqheaders: { authorization: expected } }).get('/v1/me').reply(200, 'plain', { 'content-type': 'text/plain' });
    const { http } = client({ credentials: { type: 'basic', fields: { password: SECRET, user: 'bob' } } });
    const res = await http.request({ url: 'me' });
    expect(res.body).toBe('plain');
  });

  it('skipAuth sends no credentials; the applyAuth option can set query parameters', async () => {
    nock(BASE, { badheaders: ['authorization'] }).get('/token').reply(204);
    nock(BASE, { badheaders: ['authorization'] }).get('/v1/me').query({ token: TOKEN }).reply(200, {});
    const { http } = client({
      applyAuth: (t, c) => {
        if (c.type === 'oauth2') t.url.searchParams.set('token', c.accessToken);
      },
    });
    const res = await http.request({ url: `${BASE}/token`, skipAuth: true });
    expect(res.body).toBeNull();
    await http.request({ url: '/me' });
  });

  it('retries idempotent requests on 5xx with backoff, then succeeds', async () => {
    nock(BASE).get('/v1/flaky').reply(502).get('/v1/flaky').reply(503).get('/v1/flaky').reply(200, { ok: true });
    const delays: number[] = [];
    const { http, logs } = client({ retry: { sleep: async (ms) => void delays.push(ms), random: () => 0.5, baseDelayMs: 100 } });
    const res = await http.request({ url: '/flaky' });
    expect(res.body).toEqual({ ok: true });
    expect(delays).toEqual([75, 150]);
    expect(logs.filter((l) => l.includes('retrying'))).toHaveLength(2);
  });

  it('gives up after two retries with provider_error carrying the status', async () => {
    nock(BASE).get('/v1/down').times(3).reply(500, { message: 'boom' });
    const { http } = client();
    const err = await caught(() => http.request({ url: '/down' }));
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('provider_error');
    expect((err as AppError).details).toMatchObject({ status: 500 });
    expect((err as AppError).message).toContain('boom');
  });

  it('does not retry non-idempotent requests', async () => {
    nock(BASE).post('/v1/create').reply(500);
    const { http } = client();
    expect(((await caught(() => http.request({ method: 'POST', url: '/create', body: {} }))) as AppError).code).toBe('provider_error');
  });

  it('retries network errors on idempotent requests', async () => {
    nock(BASE).get('/v1/net').replyWithError('socket hang up').get('/v1/net').reply(200, {});
    const { http } = client();
    expect((await http.request({ url: '/net' })).status).toBe(200);
  });

  it('turns a network failure into provider_error without secrets', async () => {
    nock(BASE).get('/v1/net').query(true).times(3).replyWithError(`connect failed for token=${TOKEN}`);
    const { http, logs } = client({ applyAuth: (t) => void t.url.searchParams.set('token', TOKEN) });
    const err = (await caught(() => http.request({ url: '/net' }))) as AppError;
    expect(err.code).toBe('provider_error');
    expect(err.message).not.toContain(TOKEN);
    expect(logs.join('\n')).not.toContain(TOKEN);
  });

  it('times out slow answers', async () => {
    // A fetch that never answers (nock's delay does not mix well with undici's abort handling).
    const hanging: typeof fetch = (_url, init) =>
      new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)));
    let calls = 0;
    const { http } = client({ fetchImpl: (u, i) => (calls++, hanging(u, i)) });
    const err = (await caught(() => http.request({ url: '/slow', timeoutMs: 50 }))) as AppError;
    expect(err.code).toBe('provider_error');
    expect(err.message).toMatch(/no answer within/);
    expect(calls).toBe(3); // a GET is retried after a timeout
  });

  it('429 with Retry-After seconds → rate_limited with that wait (no retry)', async () => {
    nock(BASE).get('/v1/x').reply(429, {}, { 'retry-after': '120' });
    const { http } = client();
    const err = (await caught(() => http.request({ url: '/x' }))) as AppError;
    expect(err.code).toBe('rate_limited');
    expect(err.retryAfterSeconds).toBe(120);
    expect(err.message).toBe('Example rate limit reached; retry after 120 s');
  });

  it('429 with a Retry-After HTTP date', async () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    nock(BASE).get('/v1/x').reply(429, '', { 'retry-after': new Date(now + 30_000).toUTCString() });
    const { http } = client({ now: () => now });
    expect(((await caught(() => http.request({ url: '/x' }))) as AppError).retryAfterSeconds).toBe(30);
  });

  it('429 without hints waits the default 60 s', async () => {
    nock(BASE).get('/v1/x').reply(429);
    const { http } = client();
    expect(((await caught(() => http.request({ url: '/x' }))) as AppError).retryAfterSeconds).toBe(60);
  });

  it('recognises a declared header signal (403 + remaining 0) and reads the reset header', async () => {
    const now = 1_700_000_000_000;
    nock(BASE).get('/v1/x').reply(403, { message: 'API rate limit exceeded' }, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 90) });
    const { http } = client({ now: () => now });
    const err = (await caught(() => http.request({ url: '/x' }))) as AppError;
    expect(err.code).toBe('rate_limited');
    expect(err.retryAfterSeconds).toBe(90);
  });

  it('recognises a declared body signal (400 RATELIMITED)', async () => {
    nock(BASE).post('/v1/graphql').reply(400, { errors: [{ message: 'Rate limit exceeded', extensions: { code: 'RATELIMITED' } }] });
    const { http } = client();
    const err = (await caught(() => http.request({ method: 'POST', url: '/graphql', body: {}, allowStatuses: [400] }))) as AppError;
    expect(err.code).toBe('rate_limited');
    expect(err.retryAfterSeconds).toBe(60);
  });

  it('401 and plain 403 → provider_auth_failed; other 4xx → provider_error; allowStatuses passes through', async () => {
    nock(BASE).get('/v1/a').reply(401, { message: `bad token ${TOKEN}` });
    nock(BASE).get('/v1/b').reply(403, { message: 'nope' }, { 'x-ratelimit-remaining': '10' });
    nock(BASE).get('/v1/c').reply(404, { message: 'missing' });
    nock(BASE).get('/v1/d').reply(404, { message: 'missing' });
    const { http } = client();
    const a = (await caught(() => http.request({ url: '/a' }))) as AppError;
    expect(a.code).toBe('provider_auth_failed');
    expect(a.message).not.toContain(TOKEN);
    expect(a.message).toContain('[REDACTED]');
    expect(((await caught(() => http.request({ url: '/b' }))) as AppError).code).toBe('provider_auth_failed');
    const c = (await caught(() => http.request({ url: '/c' }))) as AppError;
    expect(c.code).toBe('provider_error');
    expect(c.details).toMatchObject({ status: 404 });
    expect((await http.request({ url: '/d', allowStatuses: [404] })).status).toBe(404);
  });

  it('redacts credentials in the path, query and body echo of errors and logs', async () => {
    nock(BASE).delete(`/v1/tokens/${TOKEN}`).query(true).reply(500, `token ${TOKEN} secret ${SECRET}`, { 'content-type': 'text/plain' });
    const { http, logs } = client({
      secrets: [SECRET],
      retry: { ...noSleep, maxRetries: 0 },
      applyAuth: (t) => void t.url.searchParams.set('key', SECRET),
    });
    const err = (await caught(() => http.request({ method: 'DELETE', url: `/tokens/${TOKEN}` }))) as AppError;
    for (const text of [err.message, JSON.stringify(err.details), logs.join('\n')]) {
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(SECRET);
    }
    expect(err.message).toContain('/v1/tokens/[REDACTED]');
  });

  it('invalid JSON in a 2xx is a provider_error', async () => {
    nock(BASE).get('/v1/x').reply(200, '{nope', { 'content-type': 'application/json' });
    const { http } = client();
    expect(((await caught(() => http.request({ url: '/x' }))) as AppError).code).toBe('provider_error');
  });
});

describe('rate-limit header parsing', () => {
  const now = 1_700_000_000_000;
  it('parses Retry-After seconds and dates', () => {
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter('0', now)).toBe(1);
    expect(parseRetryAfter(new Date(now + 5_000).toUTCString(), now)).toBe(5);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
  it('parses reset headers in each format', () => {
    expect(parseResetHeader(String(now / 1000 + 42), 'epoch_seconds', now)).toBe(42);
    expect(parseResetHeader(String(now + 42_000), 'epoch_ms', now)).toBe(42);
    expect(parseResetHeader('42', 'seconds', now)).toBe(42);
    expect(parseResetHeader(String(now / 1000 - 10), 'epoch_seconds', now)).toBe(1);
    expect(parseResetHeader('x', 'seconds', now)).toBeUndefined();
  });
});

describe('paginate', () => {
  it('follows cursors through the shared client until the last page', async () => {
    nock(BASE)
      .get('/v1/items').query({ limit: '2' }).reply(200, { data: [1, 2], next_page: { offset: 'b' } })
      .get('/v1/items').query({ limit: '2', offset: 'b' }).reply(200, { data: [3], next_page: null });
    const { http } = client();
    const seen: number[] = [];
    for await (const n of paginate<number, string>(async (offset) => {
      const res = await http.request<{ data: number[]; next_page: { offset: string } | null }>({ url: '/items', query: { limit: 2, offset } });
      return { items: res.body.data, next: res.body.next_page?.offset };
    })) seen.push(n);
    expect(seen).toEqual([1, 2, 3]);
  });

  it('stops at maxPages and on a repeated cursor', async () => {
    let calls = 0;
    const items: number[] = [];
    for await (const n of paginate<number, number>(async () => ({ items: [++calls], next: 7 }), { maxPages: 5 })) items.push(n);
    expect(items).toEqual([1, 2]); // the second page repeats cursor 7
  });
});
