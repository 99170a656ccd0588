import nock from 'nock';
import { describe, expect, it } from 'vitest';
import type { AppError } from '../../src/errors.ts';
import { microsoftIdentityUrls } from '../../src/providers/_shared/microsoft.ts';
import { requestedScopes } from '../../src/providers/_shared/oauth.ts';
import { resolveProviderUrls } from '../../src/providers/_shared/urls.ts';
import { microsoft365 } from '../../src/providers/microsoft-365/index.ts';
import { SUBSCRIPTION_TTL_MINUTES } from '../../src/providers/microsoft-365/webhooks.ts';
import { caught, testContext } from './helpers.ts';

const GRAPH = 'https://graph.microsoft.com';
const ACCESS = 'eyJ0eXAiOiJKV1QiLCJub25jZSI6Im1zLWFjY2Vzcy10b2tlbiJ9.graph-access-token';
const creds = { type: 'oauth2' as const, accessToken: ACCESS, refreshToken: '0.AR-refresh-token', scopes: ['User.Read'] };
const JSON_CT = { 'content-type': 'application/json;odata.metadata=minimal;odata.streaming=true' };
// GET /v1.0/me, as in https://learn.microsoft.com/graph/api/user-get (example 1 response).
const me = {
  '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#users/$entity',
  businessPhones: ['+1 425 555 0109'],
  displayName: 'Adele Vance',
  givenName: 'Adele',
  jobTitle: 'Retail Manager',
  mail: 'AdeleV@contoso.com',
  mobilePhone: null,
  officeLocation: '18/2111',
  preferredLanguage: 'en-US',
  surname: 'Vance',
  userPrincipalName: 'AdeleV@contoso.com',
  id: '87d349ed-44d7-43e1-9a83-5f2406dee5bd',
};
const wh = microsoft365.webhooks!;

describe('microsoft-365', () => {
  it('identity platform: tenant common by default; a pinned tenant through the operator’s URL overrides', () => {
    expect(microsoft365.definition.auth.oauth2).toMatchObject({
      authorizeUrl: 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize',
      tokenUrl: 'https://login.microsoftonline.com/common/oauth2/v2.0/token',
      pkce: true,
      clientAuth: 'body',
      refresh: 'rotating',
    });
    expect(microsoft365.definition.auth.oauth2!.revokeUrl).toBeUndefined();
    const tenant = microsoftIdentityUrls('0f5e2a9c-1b3d-4e5f-8a7b-6c5d4e3f2a1b');
    const urls = resolveProviderUrls(microsoft365, { raw: { PROVIDER_MICROSOFT_365_AUTHORIZE_URL: tenant.authorizeUrl, PROVIDER_MICROSOFT_365_TOKEN_URL: tenant.tokenUrl } });
    expect(urls).toMatchObject({ authorizeUrl: 'https://login.microsoftonline.com/0f5e2a9c-1b3d-4e5f-8a7b-6c5d4e3f2a1b/oauth2/v2.0/authorize', tokenUrl: tenant.tokenUrl });
    expect(urls.userChosen).toBeUndefined();
    expect(microsoftIdentityUrls('contoso.onmicrosoft.com').tokenUrl).toBe('https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token');
    expect(() => microsoftIdentityUrls('evil.example/../x')).toThrow();
  });

  it('asks for offline_access, User.Read and one scope per object', () => {
    expect(requestedScopes(microsoft365.definition)).toEqual(['offline_access', 'User.Read', 'Calendars.ReadWrite', 'Mail.Read']);
  });

  it('test: GET /v1.0/me with the Bearer token → displayName, with userPrincipalName and mail kept', async () => {
    nock(GRAPH, { reqheaders: { authorization: `Bearer ${ACCESS}` } }).get('/v1.0/me').reply(200, me, JSON_CT);
    const c = testContext({ provider: microsoft365, credentials: creds });
    expect(await microsoft365.connector.test(c)).toEqual({
      accountId: '87d349ed-44d7-43e1-9a83-5f2406dee5bd',
      accountName: 'Adele Vance',
      extra: { userPrincipalName: 'AdeleV@contoso.com', mail: 'AdeleV@contoso.com' },
    });
    expect(c.logs.join('')).not.toContain(ACCESS);
  });

  it('test: no displayName → mail, then userPrincipalName; no id → provider_error', async () => {
    nock(GRAPH).get('/v1.0/me').reply(200, { ...me, displayName: null, mail: null }, JSON_CT);
    expect((await microsoft365.connector.test(testContext({ provider: microsoft365, credentials: creds }))).accountName).toBe('AdeleV@contoso.com');
    nock(GRAPH).get('/v1.0/me').reply(200, { displayName: 'Adele Vance' }, JSON_CT);
    expect(((await caught(() => microsoft365.connector.test(testContext({ provider: microsoft365, credentials: creds })))) as AppError).code).toBe('provider_error');
  });

  it('401 InvalidAuthenticationToken → provider_auth_failed; 429 and 503 with Retry-After → rate_limited with that wait', async () => {
    nock(GRAPH).get('/v1.0/me').reply(401, { error: { code: 'InvalidAuthenticationToken', message: 'Access token has expired or is not yet valid.' } }, JSON_CT);
    expect(((await caught(() => microsoft365.connector.test(testContext({ provider: microsoft365, credentials: creds })))) as AppError).code).toBe('provider_auth_failed');
    nock(GRAPH).get('/v1.0/me').reply(429, { error: { code: 'TooManyRequests', message: 'Too many requests' } }, { ...JSON_CT, 'retry-after': '12' });
    expect(await caught(() => microsoft365.connector.test(testContext({ provider: microsoft365, credentials: creds })))).toMatchObject({ code: 'rate_limited', retryAfterSeconds: 12 });
    nock(GRAPH).get('/v1.0/me').reply(503, { error: { code: 'serviceNotAvailable', message: 'Service unavailable' } }, { ...JSON_CT, 'retry-after': '7' });
    expect(await caught(() => microsoft365.connector.test(testContext({ provider: microsoft365, credentials: creds })))).toMatchObject({ code: 'rate_limited', retryAfterSeconds: 7 });
  });

  it('no revoke call: the note says to remove the consent in My Apps / Entra, and never revokeSignInSessions', () => {
    expect(microsoft365.connector.revoke).toBeUndefined();
    expect(microsoft365.definition.revokeNote).toMatch(/My Apps/);
    expect(microsoft365.definition.revokeNote).toMatch(/Entra/);
  });

  it('register: POST /v1.0/subscriptions with the resource, clientState = the secret and an expiry under three days; unregister: DELETE', async () => {
    const secret = 'a'.repeat(64);
    const url = 'https://patchbay.example.com/webhooks/microsoft-365/11111111-1111-4111-8111-111111111111/22222222-2222-4222-8222-222222222222';
    let sent: any;
    nock(GRAPH, { reqheaders: { authorization: `Bearer ${ACCESS}` } })
      .post('/v1.0/subscriptions', (b) => ((sent = b), true))
      .reply(201, { id: '7f105c7d-2dc5-4530-97cd-4e7ae6534c07', resource: 'me/events', changeType: 'created,updated,deleted', expirationDateTime: '2027-03-12T18:23:45.9356913Z', clientState: secret, notificationUrl: url }, JSON_CT);
    const before = Date.now();
    const r = await wh.register!(testContext({ provider: microsoft365, credentials: creds }), { url, resource: 'me/events', registrationId: '22222222-2222-4222-8222-222222222222', secret });
    expect(r).toEqual({ remoteId: '7f105c7d-2dc5-4530-97cd-4e7ae6534c07', expiresAt: new Date('2027-03-12T18:23:45.935Z') });
    expect(sent).toMatchObject({ changeType: 'created,updated,deleted', notificationUrl: url, resource: 'me/events', clientState: secret, latestSupportedTlsVersion: 'v1_2' });
    const asked = Date.parse(sent.expirationDateTime) - before;
    expect(asked).toBeGreaterThan((SUBSCRIPTION_TTL_MINUTES - 1) * 60_000);
    expect(asked).toBeLessThan(4_230 * 60_000);

    const del = nock(GRAPH).delete('/v1.0/subscriptions/7f105c7d-2dc5-4530-97cd-4e7ae6534c07').reply(204);
    await wh.unregister!(testContext({ provider: microsoft365, credentials: creds }), { remoteId: '7f105c7d-2dc5-4530-97cd-4e7ae6534c07', resource: 'me/events', secret });
    del.done();
    // Already gone: not an error.
    nock(GRAPH).delete('/v1.0/subscriptions/gone').reply(404, { error: { code: 'ResourceNotFound', message: 'not found' } }, JSON_CT);
    await wh.unregister!(testContext({ provider: microsoft365, credentials: creds }), { remoteId: 'gone', resource: 'me/events', secret });
  });

  it('renew: PATCH /v1.0/subscriptions/{id} with a new expirationDateTime; a subscription already gone (404) → null', async () => {
    let sent: any;
    nock(GRAPH, { reqheaders: { authorization: `Bearer ${ACCESS}` } })
      .patch('/v1.0/subscriptions/7f105c7d-2dc5-4530-97cd-4e7ae6534c07', (b) => ((sent = b), true))
      .reply(200, { id: '7f105c7d-2dc5-4530-97cd-4e7ae6534c07', resource: 'me/events', expirationDateTime: '2027-03-15T11:00:00.0000000Z' }, JSON_CT);
    const reg = { remoteId: '7f105c7d-2dc5-4530-97cd-4e7ae6534c07', resource: 'me/events', secret: 'a'.repeat(64) };
    expect(await wh.renew!(testContext({ provider: microsoft365, credentials: creds }), reg)).toEqual({ expiresAt: new Date('2027-03-15T11:00:00.000Z') });
    expect(Object.keys(sent)).toEqual(['expirationDateTime']);
    expect(Date.parse(sent.expirationDateTime) - Date.now()).toBeGreaterThan((SUBSCRIPTION_TTL_MINUTES - 1) * 60_000);
    nock(GRAPH).patch('/v1.0/subscriptions/gone').reply(404, { error: { code: 'ResourceNotFound', message: 'The object was not found.' } }, JSON_CT);
    expect(await wh.renew!(testContext({ provider: microsoft365, credentials: creds }), { ...reg, remoteId: 'gone' })).toBeNull();
  });

  it('register refuses a non-https notification URL before calling Graph', async () => {
    const err = (await caught(() => wh.register!(testContext({ provider: microsoft365, credentials: creds }), { url: 'http://localhost:3000/webhooks/x', resource: 'me/events', registrationId: 'r', secret: 's' }))) as AppError;
    expect(err.code).toBe('provider_not_configured');
  });

  it('a realtime rule watches its object’s resource', () => {
    expect(wh.resourcesFor!({ remoteObject: 'events', scope: null } as never)).toEqual(['me/events']);
    expect(wh.resourcesFor!({ remoteObject: 'messages', scope: null } as never)).toEqual(["me/mailFolders('inbox')/messages"]);
    expect(wh.resourcesFor!({ remoteObject: 'contacts', scope: null } as never)).toEqual([]);
  });
});
