/**
 * Trello end to end through the admin API: API key + token as typed fields (sent as `key` and
 * `token` query parameters), the GET /1/members/me test, and DELETE /1/tokens/{token} on disconnect.
 */
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBody } from '../helpers/app.ts';
import { received, startE2E, type E2E } from './support.ts';

// Values as in test/providers/trello.test.ts.
const KEY = '0123456789abcdef0123456789abcdef';
const TOKEN = 'ATTA0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef01234567';
const WRONG_TOKEN = 'ATTAfeedfacefeedfacefeedfacefeedfacefeedfacefeedface0000';
// GET /1/members/me (fields=id,username,fullName), as in test/providers/trello.test.ts.
const member = { id: '5abbe4b7ddc1b351ef961414', username: 'bobloblaw', fullName: 'Bob Loblaw' };
const ACCOUNT = 'Bob Loblaw (@bobloblaw)';

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E();
});
afterAll(async () => {
  await e2e?.close();
});

function membersMe() {
  return received(nock('https://api.trello.com').get('/1/members/me').query(true).reply(200, member, { 'content-type': 'application/json; charset=utf-8' }));
}

describe('Trello through the admin API (API key + token)', () => {
  let id: string;

  it('connect: POST /connections with key and token; tested with GET /1/members/me before saving', async () => {
    const whoami = membersMe();
    const res = await e2e.call('/api/v1/connections', { method: 'POST', json: { provider: 'trello', credentials: { apiKey: KEY, token: TOKEN } } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      account: { id: member.id, name: ACCOUNT },
      connection: { provider: 'trello', displayName: 'Trello', status: 'connected', authKind: 'api_key', account: { id: member.id, name: ACCOUNT } },
    });

    expect(whoami).toHaveLength(1);
    expect(Object.fromEntries(whoami[0]!.url.searchParams)).toEqual({ fields: 'id,username,fullName', key: KEY, token: TOKEN });
    expect(whoami[0]!.headers.get('authorization')).toBeNull();

    id = res.body.connection.id;
    const row = await e2e.row(id);
    expect(row).toMatchObject({ status: 'connected', auth_kind: 'api_key', metadata: { accountId: member.id, accountName: ACCOUNT, extra: { username: 'bobloblaw' } } });
    expect(row.credentials).not.toContain(KEY);
    expect(row.credentials).not.toContain(TOKEN);
    expect(e2e.decrypt(row.credentials!)).toEqual({ type: 'api_key', fields: { apiKey: KEY, token: TOKEN } });
  });

  it('test: GET /1/members/me with the stored key and token', async () => {
    const whoami = membersMe();
    const res = await e2e.call(`/api/v1/connections/${id}/test`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, account: { id: member.id, name: ACCOUNT }, connection: { status: 'connected' } });
    expect(whoami[0]!.url.searchParams.get('token')).toBe(TOKEN);
  });

  it('disconnect: DELETE /1/tokens/{token} authenticated with the same key and token; credentials deleted', async () => {
    const revoke = received(
      nock('https://api.trello.com').delete(`/1/tokens/${TOKEN}`).query(true).reply(200, { _value: null }, { 'content-type': 'application/json' }),
    );
    const res = await e2e.call(`/api/v1/connections/${id}/disconnect`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ revoke: 'revoked', note: 'Access was revoked at Trello.', connection: { status: 'disconnected' } });

    expect(revoke).toHaveLength(1);
    expect(revoke[0]!.method).toBe('DELETE');
    expect(revoke[0]!.url.pathname).toBe(`/1/tokens/${TOKEN}`);
    expect(Object.fromEntries(revoke[0]!.url.searchParams)).toEqual({ key: KEY, token: TOKEN });
    expect(revoke[0]!.headers.get('authorization')).toBeNull();
    expect(revoke[0]!.body).toBe('');

    expect(await e2e.row(id)).toMatchObject({ status: 'disconnected', credentials: null });
  });

  it('a token Trello rejects → 422 provider_auth_failed, and no row is written', async () => {
    const before = (await e2e.rows('trello')).length;
    nock('https://api.trello.com').get('/1/members/me').query(true).reply(401, 'invalid token', { 'content-type': 'text/plain; charset=utf-8' });
    const res = await e2e.app.fetch('/api/v1/connections', { method: 'POST', json: { provider: 'trello', credentials: { apiKey: KEY, token: WRONG_TOKEN } } });
    expect(res.status).toBe(422);
    const err = await errorBody(res);
    e2e.seen.push(JSON.stringify(err));
    expect(err.code).toBe('provider_auth_failed');
    expect(await e2e.rows('trello')).toHaveLength(before);
  });

  it('an API key that is not 32 hex characters is refused before Trello is called', async () => {
    const res = await e2e.call('/api/v1/connections', { method: 'POST', json: { provider: 'trello', credentials: { apiKey: 'not-a-trello-key', token: TOKEN } } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'validation_failed', details: [expect.objectContaining({ path: 'credentials.apiKey' })] });
  });

  it('no key or token in any API body, log line or log/event/audit row', async () => {
    await e2e.expectNoSecrets([KEY, TOKEN, WRONG_TOKEN]);
  });
});
