import nock from 'nock';
import { describe, expect, it } from 'vitest';
import type { AppError } from '../../src/errors.ts';
import { twilio } from '../../src/providers/twilio/index.ts';
import { caught, testContext } from './helpers.ts';

const API = 'https://api.twilio.com';
const SID = 'AC0123456789abcdef0123456789abcdef';
const AUTH = 'f0e1d2c3b4a5968778695a4b3c2d1e0f';
const creds = { type: 'basic' as const, fields: { accountSid: SID, authToken: AUTH } };

// Shape from https://www.twilio.com/docs/iam/api/account#fetch-an-account-resource
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

describe('twilio', () => {
  it('test: GET /2010-04-01/Accounts/{sid}.json with Basic sid:token → sid and friendly_name', async () => {
    const basic = `Basic ${Buffer.from(`${SID}:${AUTH}`).toString('base64')}`;
    nock(API, { reqheaders: { authorization: basic } })
      .get(`/2010-04-01/Accounts/${SID}.json`)
      .reply(200, account, { 'content-type': 'application/json' });
    const c = testContext({ provider: twilio, credentials: creds });
    expect(await twilio.connector.test(c)).toEqual({ accountId: SID, accountName: 'Acme Support', extra: { status: 'active', type: 'Full' } });
    expect(c.logs.join('')).not.toContain(AUTH);
  });

  it('test: 401 → provider_auth_failed without the auth token', async () => {
    nock(API)
      .get(`/2010-04-01/Accounts/${SID}.json`)
      .reply(401, { code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 }, { 'content-type': 'application/json' });
    const c = testContext({ provider: twilio, credentials: creds });
    const err = (await caught(() => twilio.connector.test(c))) as AppError;
    expect(err.code).toBe('provider_auth_failed');
    expect(err.message + c.logs.join('')).not.toContain(AUTH);
  });

  it('has no revoke; the note says to rotate the Auth Token in the Console', () => {
    expect(twilio.connector.revoke).toBeUndefined();
    expect(twilio.definition.revokeNote).toMatch(/rotate the Auth Token in the Twilio Console/);
    const sid = twilio.definition.auth.credentials!.fields[0]!;
    expect(new RegExp(sid.pattern!).test(SID)).toBe(true);
    expect(new RegExp(sid.pattern!).test('SK0123456789abcdef0123456789abcdef')).toBe(false);
  });

  it('accepts an Account SID in upper-case hex, as the description does (^AC[0-9a-fA-F]{32}$)', () => {
    const field = twilio.definition.auth.credentials!.fields.find((f) => f.name === 'accountSid')!;
    expect(new RegExp(field.pattern!).test('AC0123456789ABCDEF0123456789ABCDEF')).toBe(true);
    expect(new RegExp(field.pattern!).test(SID)).toBe(true);
    expect(new RegExp(field.pattern!).test('AC0123')).toBe(false);
  });

  it('an account with sid null (the description allows it) is still identified by the SID asked for', async () => {
    nock(API).get(`/2010-04-01/Accounts/${SID}.json`).reply(200, { ...account, sid: null }, { 'content-type': 'application/json' });
    expect(await twilio.connector.test(testContext({ provider: twilio, credentials: creds }))).toMatchObject({ accountId: SID });
  });
});
