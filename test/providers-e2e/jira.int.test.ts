/**
 * Jira Cloud end to end through the admin API: OAuth 2.0 (3LO) with `audience` and
 * `prompt=consent`, the accessible-resources → cloudId → /myself test, and a disconnect that
 * says Atlassian has no revoke call (the tokens are deleted).
 */
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jira } from '../../src/providers/jira/index.ts';
import { formOf, REDIRECT_URI, received, startE2E, type E2E } from './support.ts';

const CLIENT_ID = 'Xa1b2C3d4E5f6G7h8I9j0KlMnOpQrStU';
const CLIENT_SECRET = 'ATOAjira-client-secret-0123456789abcdef';
const CODE = 'jira-auth-code-eyJhbGciOiJIUzI1NiJ9';
const ACCESS = 'jira-access-eyJraWQiOiJhdXRoLmF0bGFzc2lhbi5jb20';
const REFRESH = 'jira-refresh-eyJraWQiOiJyZWZyZXNoLXRva2VuIn0';
const CLOUD = '1324a887-45db-1bf4-1e99-ef0ff456d421';

const SCOPES = 'read:jira-user offline_access read:jira-work write:jira-work';

// Token response: https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/ (step 2, and
// `refresh_token` with `offline_access`), as in test/providers/jira.test.ts.
const tokenResponse = { access_token: ACCESS, refresh_token: REFRESH, expires_in: 3600, scope: SCOPES, token_type: 'Bearer' };
// The documented accessible-resources and /myself shapes, as in test/providers/jira.test.ts.
const resources = [
  {
    id: CLOUD,
    name: 'your-domain',
    url: 'https://your-domain.atlassian.net',
    scopes: ['read:jira-user', 'offline_access'],
    avatarUrl: 'https://site-admin-avatar-cdn.prod.public.atl-paas.net/avatars/240/flag.png',
  },
];
const myself = {
  self: 'https://your-domain.atlassian.net/rest/api/3/user?accountId=5b10a2844c20165700ede21g',
  accountId: '5b10a2844c20165700ede21g',
  accountType: 'atlassian',
  emailAddress: 'mia@example.com',
  displayName: 'Mia Krystof',
  active: true,
  timeZone: 'Australia/Sydney',
};
const ACCOUNT = 'Mia Krystof (your-domain)';

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E({ PROVIDER_JIRA_CLIENT_ID: CLIENT_ID, PROVIDER_JIRA_CLIENT_SECRET: CLIENT_SECRET });
});
afterAll(async () => {
  await e2e?.close();
});

function whoAmI() {
  const scope = nock('https://api.atlassian.com')
    .get('/oauth/token/accessible-resources')
    .reply(200, resources, { 'content-type': 'application/json' })
    .get(`/ex/jira/${CLOUD}/rest/api/3/myself`)
    .reply(200, myself, { 'content-type': 'application/json' });
  return received(scope);
}

describe('Jira Cloud through the admin API (OAuth 2.0 3LO)', () => {
  let id: string;

  it('connect: authorize URL with audience and consent → callback → token exchange → cloudId → /myself', async () => {
    const { url, params } = await e2e.startOAuth({ provider: 'jira' });
    expect(url.origin + url.pathname).toBe('https://auth.atlassian.com/authorize');
    expect(params).toEqual({
      audience: 'api.atlassian.com',
      prompt: 'consent',
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT_URI,
      state: expect.stringMatching(/^[\w-]+\.[\w-]+$/),
      scope: SCOPES,
    });

    const token = received(nock('https://auth.atlassian.com').post('/oauth/token').reply(200, tokenResponse, { 'content-type': 'application/json' }));
    const calls = whoAmI();
    const page = await e2e.callback({ code: CODE, state: params.state! });
    expect(page.status).toBe(200);
    expect(page.html).toContain(`Jira Cloud is connected as ${ACCOUNT}`);

    expect(token).toHaveLength(1);
    expect(token[0]!.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
    expect(token[0]!.headers.get('authorization')).toBeNull();
    // No PKCE for Jira: no code_verifier.
    expect(formOf(token[0]!.body)).toEqual({
      grant_type: 'authorization_code',
      code: CODE,
      redirect_uri: REDIRECT_URI,
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
    });

    expect(calls.map((c) => `${c.method} ${c.url.pathname}`)).toEqual([
      'GET /oauth/token/accessible-resources',
      `GET /ex/jira/${CLOUD}/rest/api/3/myself`,
    ]);
    for (const c of calls) expect(c.headers.get('authorization')).toBe(`Bearer ${ACCESS}`);

    const [row] = await e2e.rows('jira');
    expect(row).toMatchObject({
      status: 'connected',
      auth_kind: 'oauth2',
      display_name: 'Jira Cloud',
      metadata: {
        accountId: myself.accountId,
        accountName: ACCOUNT,
        scopes: SCOPES.split(' '),
        extra: { cloudId: CLOUD, siteUrl: 'https://your-domain.atlassian.net', siteName: 'your-domain' },
      },
    });
    expect(row!.credentials).not.toContain(ACCESS);
    expect(row!.credentials).not.toContain(REFRESH);
    expect(e2e.decrypt(row!.credentials!)).toMatchObject({ type: 'oauth2', accessToken: ACCESS, refreshToken: REFRESH });
    expect(row!.token_expires_at!.getTime()).toBeGreaterThan(Date.now() + 55 * 60_000);
    id = row!.id;
  });

  it('test: accessible-resources then /myself on the stored site, with the stored token', async () => {
    const calls = whoAmI();
    const res = await e2e.call(`/api/v1/connections/${id}/test`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, account: { id: myself.accountId, name: ACCOUNT }, connection: { status: 'connected' } });
    expect(calls).toHaveLength(2);
    for (const c of calls) expect(c.headers.get('authorization')).toBe(`Bearer ${ACCESS}`);
  });

  it('disconnect: no revoke call exists — the response says so with the revoke note, and the tokens are deleted', async () => {
    // No nock here: any request to Atlassian would fail the test.
    const res = await e2e.call(`/api/v1/connections/${id}/disconnect`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ revoke: 'not_supported', note: jira.definition.revokeNote, connection: { status: 'disconnected' } });
    expect(res.body.note).toContain('https://id.atlassian.com/manage-profile/apps');
    expect(await e2e.row(id)).toMatchObject({ status: 'disconnected', credentials: null });
  });

  it('a code Atlassian refuses (invalid_grant) connects nothing and says so', async () => {
    await e2e.expectRefusedCode({
      provider: 'jira',
      name: 'Jira Cloud',
      displayName: 'Jira two',
      code: 'jira-stale-code-0000',
      refuse: () => {
        nock('https://auth.atlassian.com')
          .post('/oauth/token')
          .reply(403, { error: 'invalid_grant', error_description: 'Invalid authorization code' }, { 'content-type': 'application/json' });
      },
    });
  });

  it('no token, code or client secret in any API body, page, log line or log/event/audit row', async () => {
    await e2e.expectNoSecrets([ACCESS, REFRESH, CLIENT_SECRET, CODE]);
  });
});
