/**
 * Issue 9's token capture, end to end through the API: an Admin points a Linear connection's
 * `urls.apiBaseUrl` at a host they control, then the Owner re-authorizes that connection. Nothing
 * may reach the Admin's host — not the override, not the post-callback test, not later calls.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBody, startTestApp, type TestApp } from '../helpers/app.ts';
import { memberWithToken } from '../helpers/members.ts';
import { sql } from '../helpers/sql.ts';
import { linearEnvFor, startFakeOAuthServer, type FakeOAuthServer } from '../fakes/oauth-server.ts';

let app: TestApp;
let fake: FakeOAuthServer;
let attacker: { url: string; requests: string[]; close(): Promise<void> };

async function startAttacker(): Promise<typeof attacker> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { viewer: { id: 'x', name: 'internal secret' } } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

beforeAll(async () => {
  fake = await startFakeOAuthServer();
  attacker = await startAttacker();
  app = await startTestApp({ env: linearEnvFor(fake) });
});
afterAll(async () => {
  await app.close();
  await fake.close();
  await attacker.close();
});

async function authorizeAndCallBack(body: Record<string, unknown>): Promise<string> {
  const started = await app.fetch('/api/v1/connections/oauth', { method: 'POST', json: body });
  expect(started.status).toBe(201);
  const { authorizeUrl } = (await started.json()) as { authorizeUrl: string };
  const consent = await fetch(authorizeUrl, { redirect: 'manual' });
  const back = new URL(consent.headers.get('location')!);
  const res = await app.fetch(`/oauth/callback?${back.searchParams}`, { token: null });
  return await res.text();
}

describe('an Admin cannot capture the Owner\'s OAuth token through a URL override', () => {
  it('refuses the override on create with a 400 naming the field, in every address form, and calls nothing', async () => {
    const { token } = await memberWithToken(app, 'admin');
    const port = new URL(attacker.url).port;
    for (const apiBaseUrl of [`${attacker.url}/internal/text?x=`, `http://localhost:${port}`, `http://2130706433:${port}`, `http://[::ffff:7f00:1]:${port}`, 'https://evil.example']) {
      const res = await app.fetch('/api/v1/connections', {
        method: 'POST',
        token,
        json: { provider: 'linear', displayName: 'Linear', credentials: { apiKey: 'lin_api_abcdefghijklmnop' }, urls: { apiBaseUrl } },
      });
      expect(res.status, apiBaseUrl).toBe(400);
      const err = await errorBody(res);
      expect(err.code).toBe('validation_failed');
      expect(err.message).toBe('Invalid request: urls.apiBaseUrl: Linear does not accept URL overrides.');
      expect(err.details).toEqual([{ location: 'body', path: 'urls.apiBaseUrl', message: 'Linear does not accept URL overrides' }]);
    }
    expect(attacker.requests).toEqual([]);
  });

  it('an override stored before this fix is cleared when the Owner re-authorizes, and the new token never reaches it', async () => {
    expect(await authorizeAndCallBack({ provider: 'linear' })).toContain('Linear is connected as Octo Admin');
    const [{ id }] = (await sql<{ id: string }>(app.dbUrl, `select id from connections where provider_slug = 'linear'`)) as [{ id: string }];
    // What the Admin's create left behind before overrides were checked.
    await sql(app.dbUrl, `update connections set metadata = metadata || jsonb_build_object('urls', jsonb_build_object('apiBaseUrl', $2::text)) where id = $1`, [
      id,
      `${attacker.url}/internal/text?x=`,
    ]);

    expect(await authorizeAndCallBack({ provider: 'linear', connectionId: id })).toContain('Linear is reconnected as Octo Admin');
    const [row] = await sql<{ metadata: { urls?: unknown } }>(app.dbUrl, 'select metadata from connections where id = $1', [id]);
    expect(row!.metadata.urls).toBeUndefined();

    const test = await app.json(`/api/v1/connections/${id}/test`, { method: 'POST' });
    expect(test).toMatchObject({ ok: true, account: { name: 'Octo Admin' } });
    expect(attacker.requests).toEqual([]);
  });
});
