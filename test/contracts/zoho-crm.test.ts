import { describe, expect, it } from 'vitest';
import { zohoCrm } from '../../src/providers/zoho-crm/index.ts';
import { usersResponseSchema } from '../../src/providers/zoho-crm/connector.ts';
import { webhooks } from '../../src/providers/zoho-crm/webhooks.ts';
import { currentUser } from '../providers/fixtures/zoho-crm.ts';
import { testContext } from '../providers/helpers.ts';
import { checkRequest, loadOpenApi } from './describe.ts';
import { exercise, expectFixtureValid, expectRequestsValid, expectSchemaNotStricter } from './harness.ts';

const users = loadOpenApi('zoho-crm-users.openapi.json');
const notifications = loadOpenApi('zoho-crm-notifications.openapi.json');
const API = 'https://www.zohoapis.com';
const creds = { type: 'oauth2' as const, accessToken: '1000.access-0123456789abcdef', refreshToken: '1000.refresh-0123456789abcdef', scopes: [], extra: { api_domain: API } };
const ctx = () => testContext({ provider: zohoCrm, credentials: creds });

describe('Zoho CRM against its published OpenAPI (zoho/crm-oas v8.0, per-API files)', () => {
  it('names its sources', () => {
    expect(users.source).toContain('zoho/crm-oas : v8.0/users.json');
    expect(notifications.source).toContain('zoho/crm-oas : v8.0/notifications.json');
  });

  it('the test is the documented GET /crm/v8/users?type=CurrentUser; the fixture is a documented response', async () => {
    expectFixtureValid(users, 'GET', '/crm/v8/users', 200, currentUser);
    const reqs = await exercise(API, [{ method: 'GET', path: '/crm/v8/users', status: 200, body: currentUser }], () => zohoCrm.connector.test(ctx()));
    expect(reqs.map((r) => `${r.method} ${r.url.pathname}${r.url.search}`)).toEqual(['GET /crm/v8/users?type=CurrentUser']);
    expectRequestsValid(users, reqs);
  });

  it('the response schema is not stricter than the description', () => expectSchemaNotStricter(users, 'GET', '/crm/v8/users', usersResponseSchema));

  it('opening and closing a notification channel are documented operations (two known gaps in the description)', async () => {
    const created = { watch: [{ code: 'SUCCESS', details: { events: [{ channel_expiry: '2026-12-06T09:00:00+00:00', resource_uri: `${API}/crm/v8/Contacts`, resource_id: '4150868000000002175', resource_name: 'Contacts', channel_id: '1000000068001', notification_condition: [] }] }, message: 'Successfully subscribed for actions-watch of the given module', status: 'success' }] };
    expectFixtureValid(notifications, 'POST', '/crm/v8/actions/watch', 201, created);
    const reqs = await exercise(API, [
      { method: 'POST', path: '/crm/v8/actions/watch', status: 201, body: created },
      { method: 'DELETE', path: '/crm/v8/actions/watch', status: 200, body: { watch: [{ code: 'SUCCESS', details: {}, message: 'Successfully un-subscribed from actions-watch', status: 'success' }] } },
    ], async () => {
      const reg = await webhooks.register!(ctx(), { url: 'https://patchbay.example.com/webhooks/zoho-crm/c/r', resource: 'Contacts', registrationId: 'r', secret: 'a'.repeat(64) });
      await webhooks.unregister!(ctx(), { remoteId: reg.remoteId, resource: 'Contacts', secret: reg.secret ?? null });
    });
    expect(reqs.map((r) => `${r.method} ${r.url.pathname}`)).toEqual(['POST /crm/v8/actions/watch', 'DELETE /crm/v8/actions/watch']);
    // `channel_id` is typed `object` in the description though Zoho's reference and samples send a
    // number, and `notify_url` carries an example pattern no real callback URL matches.
    expect(checkRequest(notifications, reqs[0]!)).toEqual(['body.watch[0].channel_id: expected object, got number', 'body.watch[0].notify_url: does not match www[.][a-z]{5}zoho[.]com']);
    expect(checkRequest(notifications, reqs[1]!)).toEqual([]);
    const body = JSON.parse(reqs[0]!.body);
    expect(body.watch[0]).toMatchObject({ events: ['Contacts.all'], token: 'a'.repeat(50) });
  });
});
