/**
 * The Sandbox under hostile input: every route of src/sandbox/README.md gets the classes of bad
 * request that reached PostgreSQL or the body parser as a 500 (NUL bytes, bad percent-encoding,
 * forged cursors, timestamps PostgreSQL cannot hold, unsupported charsets and encodings), plus
 * generated bad bodies, and must answer each with a 4xx in the Sandbox's own error shape.
 * The Sandbox is not in the OpenAPI document, so test/http/bad-input-sweep does not reach it.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.ts';
import { rawRequest } from '../helpers/raw-http.ts';
import { newAccount, startSandboxApp } from '../sandbox/support.ts';

let app: TestApp;
let key: string;
let taskId: string;
let contactId: string;
beforeAll(async () => {
  app = await startSandboxApp();
  key = (await newAccount(app, 'Hostile')).key;
  taskId = await create('/tasks', { name: 'Target' });
  contactId = await create('/contacts', { email: 'target@example.test' });
});
afterAll(async () => {
  await app?.close();
});

async function create(path: string, body: unknown): Promise<string> {
  const res = await rawRequest(app.url, { method: 'POST', path: `/sandbox/api${path}`, body: JSON.stringify(body), headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } });
  return ((await res.json()) as { id: string }).id;
}

type Bad = { label: string; method: string; path: string; body?: string; headers?: Record<string, string> };

async function expectSandboxClientError(r: Bad): Promise<void> {
  const json: Record<string, string> = r.body !== undefined ? { 'content-type': 'application/json' } : {};
  const res = await rawRequest(app.url, { method: r.method, path: `/sandbox/api${r.path}`, body: r.body, headers: { authorization: `Bearer ${key}`, ...json, ...r.headers } });
  const text = await res.text();
  const where = `${r.method} ${r.path.slice(0, 100)} [${r.label}] → ${res.status} ${text.slice(0, 200)}`;
  if (res.status < 400 || res.status >= 500) throw new Error(`not a 4xx: ${where}`);
  let err: { code?: unknown; message?: unknown } | undefined;
  try {
    err = (JSON.parse(text) as { error?: typeof err }).error;
  } catch {
    throw new Error(`not JSON: ${where}`);
  }
  if (typeof err?.code !== 'string' || typeof err.message !== 'string' || !err.message) throw new Error(`not the Sandbox error shape: ${where}`);
  if (/\bat .*\.(ts|js):\d+/.test(text)) throw new Error(`stack trace in the answer: ${where}`);
}

const b64 = (s: string) => Buffer.from(s).toString('base64url');
const FORGED_CURSORS = [
  b64('1|tsk_ab'),
  b64('-271821-04-20T00:00:00.000Z|tsk_ab'),
  b64('+275760-09-13T00:00:00.000Z|tsk_ab'),
  b64('0000-01-01T00:00:00.000Z|tsk_ab'),
  b64('2024-01-01T00:00:00.000Z|tsk_ab|extra'),
  b64('2024-01-01T00:00:00.000Z|tsk_zz'),
  b64('Mon, 01 Jan 2024 00:00:00 GMT|tsk_ab'),
  b64('2024-01-01T00:00:00.000Z\u0000|tsk_ab'),
  '%00',
  'not-a-cursor!',
];
const BAD_TIMES = ['0000-01-01T00:00:00Z', '0001-01-01T00:00:00%2B01:00', '+275760-09-13T00:00:00Z', 'yesterday', '2024-02-30T00:00:00Z', '%00'];
const BAD_SEGMENTS = ['a%00b', '%00', '%ZZ', '%C0%AF', '%ED%A0%80', '%'];

function fixedCases(): Bad[] {
  const cases: Bad[] = [];
  for (const [object, id] of [
    ['tasks', taskId],
    ['contacts', contactId],
  ] as const) {
    for (const seg of BAD_SEGMENTS) {
      cases.push({ label: `id ${seg}`, method: 'GET', path: `/${object}/${seg}` });
      cases.push({ label: `id ${seg}`, method: 'PATCH', path: `/${object}/${seg}`, body: '{}' });
      cases.push({ label: `id ${seg}`, method: 'DELETE', path: `/${object}/${seg}` });
    }
    cases.push({ label: 'object %ZZ', method: 'GET', path: `/%ZZ` });
    for (const c of FORGED_CURSORS) cases.push({ label: `cursor ${c}`, method: 'GET', path: `/${object}?cursor=${c}` });
    for (const t of BAD_TIMES) cases.push({ label: `updated_since ${t}`, method: 'GET', path: `/${object}?updated_since=${t}` });
    for (const l of ['-1', '0', '501', '1e400', '99999999999999999999', 'abc', '1.5', '1&limit=2']) cases.push({ label: `limit ${l}`, method: 'GET', path: `/${object}?limit=${l}` });
    cases.push({ label: 'project NUL', method: 'GET', path: `/${object}?project=a%00b` });
    cases.push({ label: 'project repeated', method: 'GET', path: `/${object}?project=a&project=b` });
    for (const method of ['POST', 'PATCH'] as const) {
      const path = method === 'POST' ? `/${object}` : `/${object}/${id}`;
      const field = object === 'tasks' ? 'name' : 'first_name';
      cases.push({ label: 'NUL in a field', method, path, body: JSON.stringify({ [field]: 'a\u0000b' }) });
      cases.push({ label: 'lone surrogate in a field', method, path, body: `{"${field}":"a\\ud800b"}` });
      cases.push({ label: 'NUL in a key', method, path, body: JSON.stringify({ [field]: 'x', 'k\u0000': 1 }) });
      cases.push({ label: 'malformed JSON', method, path, body: `{"${field}":` });
      cases.push({ label: 'body is a string', method, path, body: '"x"' });
      cases.push({ label: 'body is an array', method, path, body: '[]' });
      cases.push({ label: 'unknown field', method, path, body: JSON.stringify({ [field]: 'x', surprise: 1 }) });
      cases.push({ label: 'prototype key', method, path, body: `{"${field}":"x","__proto__":{"admin":true}}` });
      cases.push({ label: 'deep nesting', method, path, body: `{"${field}":${'['.repeat(5000)}${']'.repeat(5000)}}` });
      cases.push({ label: 'over 1 MB', method, path, body: JSON.stringify({ [field]: 'x', pad: 'z'.repeat(1_100_000) }) });
      cases.push({ label: 'charset latin1', method, path, body: JSON.stringify({ [field]: 'x' }), headers: { 'content-type': 'application/json; charset=latin1' } });
      cases.push({ label: 'charset utf-99', method, path, body: JSON.stringify({ [field]: 'x' }), headers: { 'content-type': 'application/json; charset=utf-99' } });
      for (const enc of ['gzip', 'br', 'deflate', 'x-zip']) cases.push({ label: `plain body labelled ${enc}`, method, path, body: JSON.stringify({ [field]: 'x' }), headers: { 'content-encoding': enc } });
      if (object === 'tasks') {
        cases.push({ label: 'NUL in a tag', method, path, body: JSON.stringify({ name: 'x', tags: ['a\u0000'] }) });
        cases.push({ label: 'due_on year 0', method, path, body: JSON.stringify({ name: 'x', due_on: '0000-01-01' }) });
        cases.push({ label: 'due_on Feb 30', method, path, body: JSON.stringify({ name: 'x', due_on: '2024-02-30' }) });
        cases.push({ label: 'name too long', method, path, body: JSON.stringify({ name: 'n'.repeat(501) }) });
        cases.push({ label: 'too many tags', method, path, body: JSON.stringify({ name: 'x', tags: Array.from({ length: 51 }, (_, i) => `t${i}`) }) });
        cases.push({ label: 'status wrong type', method, path, body: JSON.stringify({ name: 'x', status: 1 }) });
      }
    }
    cases.push({ label: 'Idempotency-Key too long', method: 'POST', path: `/${object}`, body: JSON.stringify(object === 'tasks' ? { name: 'x' } : { email: 'a@b.co' }), headers: { 'idempotency-key': 'k'.repeat(256) } });
    for (const method of ['PUT', 'PATCH', 'DELETE']) cases.push({ label: 'wrong method', method, path: `/${object}`, ...(method === 'PATCH' ? { body: '{}' } : {}) });
    cases.push({ label: 'wrong method', method: 'PUT', path: `/${object}/${id}`, body: '{}' });
    cases.push({ label: 'wrong method', method: 'POST', path: `/${object}/${id}`, body: '{}' });
  }
  for (const url of ['', 'not a url', 'ftp://example.test/', 'http://user:pass@example.test/', `https://example.test/${'p'.repeat(2100)}`, 'https://exa\u0000mple.test/'])
    cases.push({ label: `webhook url ${url.slice(0, 40)}`, method: 'POST', path: '/webhooks', body: JSON.stringify({ url }) });
  cases.push({ label: 'webhook url wrong type', method: 'POST', path: '/webhooks', body: '{"url":7}' });
  cases.push({ label: 'webhook unknown field', method: 'POST', path: '/webhooks', body: '{"url":"https://example.test/","secret":"mine"}' });
  cases.push({ label: 'webhook no body', method: 'POST', path: '/webhooks' });
  for (const seg of BAD_SEGMENTS) cases.push({ label: `webhook id ${seg}`, method: 'DELETE', path: `/webhooks/${seg}` });
  cases.push({ label: 'wrong method', method: 'PUT', path: '/webhooks', body: '{}' });
  cases.push({ label: 'wrong method', method: 'POST', path: '/me', body: '{}' });
  return cases;
}

describe('Sandbox bad-input sweep', () => {
  it('answers every fixed bad request with a 4xx in its own error shape, and logs no unexpected error', async () => {
    const failures: string[] = [];
    for (const r of fixedCases()) await expectSandboxClientError(r).catch((e: Error) => failures.push(e.message));
    expect(failures).toEqual([]);
    expect(app.logs.filter((l) => l.includes('sandbox: unexpected error'))).toEqual([]);
  }, 60_000);

  it('answers generated bad bodies and ids with a 4xx (fixed seed)', async () => {
    const text = fc.tuple(fc.string(), fc.constantFrom('\u0000', '\ud800', '\udfff'), fc.string()).map((p) => p.join(''));
    const wrongType = fc.oneof(fc.integer(), fc.boolean(), fc.array(fc.integer(), { maxLength: 3 }), fc.dictionary(fc.string(), fc.integer(), { maxKeys: 2 }));
    const enc = (v: string) => encodeURIComponent(v.toWellFormed());
    const encodedBad = fc.constantFrom('%00', '%ED%A0%80', '%ZZ', '%C0%AF');
    const taskField = fc.constantFrom('name', 'notes', 'status', 'due_on', 'assignee_email', 'project');
    const contactField = fc.constantFrom('first_name', 'last_name', 'email', 'phone_number', 'company', 'job_title');
    const bodies = fc.oneof(
      fc.tuple(taskField, fc.oneof(text, wrongType)).map(([f, v]): Bad => ({ label: `task ${f}`, method: 'POST', path: '/tasks', body: JSON.stringify({ name: 'x', [f]: v }) })),
      fc.tuple(contactField, fc.oneof(text, wrongType)).map(([f, v]): Bad => ({ label: `contact ${f}`, method: 'PATCH', path: `/contacts/${contactId}`, body: JSON.stringify({ [f]: v }) })),
      fc.tuple(fc.constantFrom('GET', 'DELETE'), fc.string(), encodedBad, fc.string()).map(([method, a, bad, b]): Bad => ({ label: 'id', method, path: `/tasks/${enc(a)}${bad}${enc(b)}` })),
      // (A query string decodes leniently: only a NUL survives it.)
      fc.tuple(fc.constantFrom('/tasks', '/contacts'), fc.constantFrom('cursor', 'updated_since', 'project', 'limit', 'other'), fc.string()).map(([o, q, a]): Bad => ({ label: q, method: 'GET', path: `${o}?${q}=${enc(a)}%00` })),
    );
    const run = await fc.check(fc.asyncProperty(bodies, expectSandboxClientError), { seed: 11, numRuns: 150, endOnFailure: true });
    expect(run.failed ? String(run.errorInstance) : null).toBeNull();
  }, 60_000);

  it('takes any real instant as updated_since, whatever its offset (normalized before the query)', async () => {
    for (const t of ['9999-12-31T23:59:59%2B23:59', '2024-01-01T00:00:00-20:00', '2024-01-01T00:00:00.123456789Z']) {
      const res = await rawRequest(app.url, { method: 'GET', path: `/sandbox/api/tasks?updated_since=${t}`, headers: { authorization: `Bearer ${key}` } });
      expect(res.status, t).toBe(200);
    }
  });

  it('refuses a request without a key before reading its body: 401, not a JSON error', async () => {
    const res = await rawRequest(app.url, { method: 'POST', path: '/sandbox/api/tasks', body: '{"name":', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
  });
});
