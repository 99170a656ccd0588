/**
 * Twilio end to end through the admin API: Account SID + Auth Token as typed fields (HTTP Basic),
 * the Account fetch as the test, and a disconnect that says there is no revoke call.
 */
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { twilio } from '../../src/providers/twilio/index.ts';
import { errorBody } from '../helpers/app.ts';
import { basicAuth, received, startE2E, type E2E } from './support.ts';

// Values and shapes as in test/providers/twilio.test.ts.
const SID = 'AC0123456789abcdef0123456789abcdef';
const AUTH = 'f0e1d2c3b4a5968778695a4b3c2d1e0f';
const WRONG_AUTH = '00000000000000000000000000000bad';
// https://www.twilio.com/docs/iam/api/account#fetch-an-account-resource (it carries the auth token).
const account = {
  auth_token: AUTH,
  date_created: 'Thu, 30 Jul 2015 20:00:00 +0000',
  date_updated: 'Thu, 30 Jul 2015 20:00:00 +0000',
  friendly_name: 'Acme Support',
  owner_account_sid: SID,
  sid: SID,
  status: 'active',
  subresource_uris: {},
  type: 'Full',
  uri: `/2010-04-01/Accounts/${SID}.json`,
};

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E();
});
afterAll(async () => {
  await e2e?.close();
});

function fetchAccount() {
  return received(nock('https://api.twilio.com').get(`/2010-04-01/Accounts/${SID}.json`).reply(200, account, { 'content-type': 'application/json' }));
}

describe('Twilio through the admin API (Basic: Account SID + Auth Token)', () => {
  let id: string;

  it('connect: POST /connections with SID and token; tested with the Account fetch (Basic) before saving', async () => {
    const whoami = fetchAccount();
    const res = await e2e.call('/api/v1/connections', { method: 'POST', json: { provider: 'twilio', credentials: { accountSid: SID, authToken: AUTH } } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      account: { id: SID, name: 'Acme Support' },
      connection: { provider: 'twilio', displayName: 'Twilio', status: 'connected', authKind: 'basic', account: { id: SID, name: 'Acme Support' } },
    });

    expect(whoami).toHaveLength(1);
    expect(whoami[0]!.headers.get('authorization')).toBe(basicAuth(SID, AUTH));

    id = res.body.connection.id;
    const row = await e2e.row(id);
    expect(row).toMatchObject({ status: 'connected', auth_kind: 'basic', metadata: { accountId: SID, accountName: 'Acme Support', extra: { status: 'active', type: 'Full' } } });
    expect(row.credentials).not.toContain(AUTH);
    expect(e2e.decrypt(row.credentials!)).toEqual({ type: 'basic', fields: { accountSid: SID, authToken: AUTH } });
  });

  it('test: the Account fetch with the stored credentials', async () => {
    const whoami = fetchAccount();
    const res = await e2e.call(`/api/v1/connections/${id}/test`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, account: { id: SID, name: 'Acme Support' }, connection: { status: 'connected' } });
    expect(whoami[0]!.headers.get('authorization')).toBe(basicAuth(SID, AUTH));
  });

  it('disconnect: Twilio has no revoke call — not_supported with the revoke note; the credentials are deleted', async () => {
    // No nock: a revoke request would fail the test.
    const res = await e2e.call(`/api/v1/connections/${id}/disconnect`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ revoke: 'not_supported', note: twilio.definition.revokeNote, connection: { status: 'disconnected' } });
    expect(res.body.note).toContain('rotate the Auth Token in the Twilio Console');
    expect(await e2e.row(id)).toMatchObject({ status: 'disconnected', credentials: null });
  });

  it('an Auth Token Twilio rejects → 422 provider_auth_failed, and no row is written', async () => {
    const before = (await e2e.rows('twilio')).length;
    nock('https://api.twilio.com')
      .get(`/2010-04-01/Accounts/${SID}.json`)
      .reply(401, { code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 }, { 'content-type': 'application/json' });
    const res = await e2e.app.fetch('/api/v1/connections', { method: 'POST', json: { provider: 'twilio', credentials: { accountSid: SID, authToken: WRONG_AUTH } } });
    expect(res.status).toBe(422);
    const err = await errorBody(res);
    e2e.seen.push(JSON.stringify(err));
    expect(err.code).toBe('provider_auth_failed');
    expect(await e2e.rows('twilio')).toHaveLength(before);
  });

  it('an Account SID that does not start with AC is refused before Twilio is called', async () => {
    const res = await e2e.call('/api/v1/connections', { method: 'POST', json: { provider: 'twilio', credentials: { accountSid: 'SK0123456789abcdef0123456789abcdef', authToken: AUTH } } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'validation_failed', details: [expect.objectContaining({ path: 'credentials.accountSid' })] });
  });

  it('no Auth Token in any API body, log line or log/event/audit row', async () => {
    await e2e.expectNoSecrets([AUTH, WRONG_AUTH]);
  });
});
