import nock from 'nock';
import { describe, expect, it } from 'vitest';
import type { AppError } from '../../src/errors.ts';
import { microsoftIdentityUrls } from '../../src/providers/_shared/microsoft.ts';
import { requestedScopes } from '../../src/providers/_shared/oauth.ts';
import { resolveProviderUrls } from '../../src/providers/_shared/urls.ts';
import { microsoft365 } from '../../src/providers/microsoft-365/index.ts';
import { microsoftTeams } from '../../src/providers/microsoft-teams/index.ts';
import { caught, testContext } from './helpers.ts';

const GRAPH = 'https://graph.microsoft.com';
const ACCESS = 'eyJ0eXAiOiJKV1QiLCJub25jZSI6InRlYW1zIn0.teams-access-token';
const creds = { type: 'oauth2' as const, accessToken: ACCESS, refreshToken: '0.AR-teams-refresh', scopes: ['User.Read'] };
// GET /v1.0/me: https://learn.microsoft.com/graph/api/user-get (example 1 response).
const me = { displayName: 'Megan Bowen', mail: 'MeganB@contoso.com', userPrincipalName: 'MeganB@contoso.com', id: '48d31887-5fad-4d73-a9f5-3c356e68a038', jobTitle: 'Marketing Manager' };

describe('microsoft-teams', () => {
  it('shares the identity platform definition with Microsoft 365 (one place for the URLs and tenant)', () => {
    expect(microsoftTeams.definition.auth.oauth2).toEqual(microsoft365.definition.auth.oauth2);
    expect(microsoftTeams.definition.apiBaseUrl).toBe('https://graph.microsoft.com/v1.0');
    expect(microsoftTeams.definition.category).toBe('communication');
    const org = microsoftIdentityUrls('organizations');
    expect(resolveProviderUrls(microsoftTeams, { raw: { PROVIDER_MICROSOFT_TEAMS_AUTHORIZE_URL: org.authorizeUrl, PROVIDER_MICROSOFT_TEAMS_TOKEN_URL: org.tokenUrl } })).toMatchObject({
      authorizeUrl: 'https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize',
      tokenUrl: 'https://login.microsoftonline.com/organizations/oauth2/v2.0/token',
    });
  });

  it('asks for offline_access, User.Read and the three channel scopes — not ChannelMessage.Read.All (admin consent)', () => {
    const scopes = requestedScopes(microsoftTeams.definition);
    expect(scopes).toEqual(['offline_access', 'User.Read', 'Team.ReadBasic.All', 'Channel.ReadBasic.All', 'ChannelMessage.Send']);
    expect(scopes).not.toContain('ChannelMessage.Read.All');
  });

  it('test: GET /v1.0/me with the Bearer token → displayName', async () => {
    nock(GRAPH, { reqheaders: { authorization: `Bearer ${ACCESS}` } }).get('/v1.0/me').reply(200, me, { 'content-type': 'application/json' });
    const c = testContext({ provider: microsoftTeams, credentials: creds });
    expect(await microsoftTeams.connector.test(c)).toEqual({ accountId: me.id, accountName: 'Megan Bowen', extra: { userPrincipalName: 'MeganB@contoso.com', mail: 'MeganB@contoso.com' } });
    expect(c.logs.join('')).not.toContain(ACCESS);
  });

  it('403 Authorization_RequestDenied → provider_auth_failed; 429 → rate_limited with Retry-After', async () => {
    nock(GRAPH).get('/v1.0/me').reply(403, { error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' } }, { 'content-type': 'application/json' });
    expect(((await caught(() => microsoftTeams.connector.test(testContext({ provider: microsoftTeams, credentials: creds })))) as AppError).code).toBe('provider_auth_failed');
    nock(GRAPH).get('/v1.0/me').reply(429, { error: { code: 'TooManyRequests', message: 'Too many requests' } }, { 'content-type': 'application/json', 'retry-after': '3' });
    expect(await caught(() => microsoftTeams.connector.test(testContext({ provider: microsoftTeams, credentials: creds })))).toMatchObject({ code: 'rate_limited', retryAfterSeconds: 3 });
  });

  it('no revoke call and no webhooks in this version', () => {
    expect(microsoftTeams.connector.revoke).toBeUndefined();
    expect(microsoftTeams.definition.revokeNote).toMatch(/My Apps/);
    expect(microsoftTeams.webhooks).toBeUndefined();
  });
});
