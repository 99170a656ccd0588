/**
 * Microsoft Teams end to end through the admin API: the Microsoft identity platform (tenant `common`,
 * PKCE, client secret in the body, `offline_access`), the GET /v1.0/me test, and a disconnect that
 * says there is no revoke call (Microsoft has none for delegated grants).
 */
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { microsoftTeams } from '../../src/providers/microsoft-teams/index.ts';
import { REDIRECT_URI, expectPkceBodyAuthExchange, received, startE2E, type E2E } from './support.ts';

const CLIENT_ID = '6731de76-14a6-49ae-97bc-6eba6914391e';
const CLIENT_SECRET = 'Xq8Q~teams-client-secret-value-0123456789';
const CODE = 'M.C507_BAY.2.U.teams-authorization-code-0123456789';
const ACCESS = 'eyJ0eXAiOiJKV1QiLCJub25jZSI6Im0zNjUifQ.teams-access-token.signature';
const REFRESH = '0.ARoA-teams-refresh-token-0123456789abcdef';
const LOGIN = 'https://login.microsoftonline.com';
const SCOPES = 'offline_access User.Read Team.ReadBasic.All Channel.ReadBasic.All ChannelMessage.Send';
// https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow#successful-response-2 (Graph answers short scope names).
const tokenResponse = { token_type: 'Bearer', scope: 'User.Read Team.ReadBasic.All Channel.ReadBasic.All ChannelMessage.Send', expires_in: 3599, ext_expires_in: 3599, access_token: ACCESS, refresh_token: REFRESH };
// GET /v1.0/me: https://learn.microsoft.com/graph/api/user-get (example 1).
const me = { displayName: 'Adele Vance', mail: 'AdeleV@contoso.com', userPrincipalName: 'AdeleV@contoso.com', id: '87d349ed-44d7-43e1-9a83-5f2406dee5bd' };

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E({ PROVIDER_MICROSOFT_TEAMS_CLIENT_ID: CLIENT_ID, PROVIDER_MICROSOFT_TEAMS_CLIENT_SECRET: CLIENT_SECRET });
});
afterAll(async () => {
  await e2e?.close();
});

const whoAmI = () => received(nock('https://graph.microsoft.com').get('/v1.0/me').reply(200, me, { 'content-type': 'application/json' }));

describe('Microsoft Teams through the admin API (Microsoft identity platform, PKCE, offline access)', () => {
  let id: string;

  it('connect: authorize URL on the common tenant with the exact scopes → callback → token exchange → GET /v1.0/me', async () => {
    const { url, params } = await e2e.startOAuth({ provider: 'microsoft-teams' });
    expect(url.origin + url.pathname).toBe(`${LOGIN}/common/oauth2/v2.0/authorize`);
    expect(params).toEqual({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT_URI,
      state: expect.stringMatching(/^[\w-]+\.[\w-]+$/),
      scope: SCOPES,
      code_challenge: expect.stringMatching(/^[\w-]{43}$/),
      code_challenge_method: 'S256',
    });

    const token = received(nock(LOGIN).post('/common/oauth2/v2.0/token').reply(200, tokenResponse, { 'content-type': 'application/json; charset=utf-8' }));
    const who = whoAmI();
    const page = await e2e.callback({ code: CODE, state: params.state! });
    expect(page.status, page.html).toBe(200);
    expect(page.html).toContain('Microsoft Teams is connected as Adele Vance');
    expectPkceBodyAuthExchange(token, { code: CODE, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, challenge: params.code_challenge });
    expect(who).toHaveLength(1);
    expect(who[0]!.headers.get('authorization')).toBe(`Bearer ${ACCESS}`);

    const [row] = await e2e.rows('microsoft-teams');
    expect(row).toMatchObject({
      status: 'connected',
      auth_kind: 'oauth2',
      display_name: 'Microsoft Teams',
      metadata: { accountId: me.id, accountName: 'Adele Vance', scopes: ['User.Read', 'Team.ReadBasic.All', 'Channel.ReadBasic.All', 'ChannelMessage.Send'], extra: { userPrincipalName: 'AdeleV@contoso.com', mail: 'AdeleV@contoso.com' } },
    });
    for (const secret of [ACCESS, REFRESH]) expect(row!.credentials).not.toContain(secret);
    expect(e2e.decrypt(row!.credentials!)).toMatchObject({ type: 'oauth2', accessToken: ACCESS, refreshToken: REFRESH });
    id = row!.id;
  });

  it('test: GET /v1.0/me with the stored token', async () => {
    const who = whoAmI();
    const res = await e2e.call(`/api/v1/connections/${id}/test`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, account: { id: me.id, name: 'Adele Vance' }, connection: { status: 'connected' } });
    expect(who).toHaveLength(1);
  });

  it('disconnect: no revoke call — not_supported with the note (My Apps / Entra); the credentials are deleted', async () => {
    // No nock: any request to Microsoft (revokeSignInSessions included) would fail the test.
    const res = await e2e.call(`/api/v1/connections/${id}/disconnect`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ revoke: 'not_supported', note: microsoftTeams.definition.revokeNote, connection: { status: 'disconnected' } });
    expect(res.body.note).toContain('My Apps');
    expect(await e2e.row(id)).toMatchObject({ status: 'disconnected', credentials: null });
  });

  it('a code Microsoft refuses (invalid_grant) connects nothing and says so', async () => {
    await e2e.expectRefusedCode({
      provider: 'microsoft-teams',
      name: 'Microsoft Teams',
      displayName: 'Teams two',
      code: 'M.C507_BAY.stale-code',
      refuse: () => {
        nock(LOGIN)
          .post('/common/oauth2/v2.0/token')
          .reply(400, { error: 'invalid_grant', error_description: 'AADSTS70008: The provided authorization code or refresh token has expired.', error_codes: [70008] }, { 'content-type': 'application/json; charset=utf-8' });
      },
    });
  });

  it('no token, code or client secret in any API body, page, log line or log/event/audit row', async () => {
    await e2e.expectNoSecrets([ACCESS, REFRESH, CLIENT_SECRET, CODE]);
  });
});
