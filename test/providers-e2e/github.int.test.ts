/**
 * GitHub end to end through the admin API: OAuth app (no PKCE, tokens without expiry), the
 * GET /user test, and the revoke with the app's Basic credentials on disconnect.
 */
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth, formOf, REDIRECT_URI, received, startE2E, type E2E } from './support.ts';

// Values shaped like the examples in test/providers/github.test.ts and GitHub's docs.
const CLIENT_ID = 'Iv1.8a61f9b3a7aba766';
const CLIENT_SECRET = 'gh-client-secret-1234567890abcdef';
const CODE = 'gh-code-e72e16c7e42f292c6912';
const TOKEN = 'gho_16C7e42F292c6912E7710c838347Ae178B4a';

// https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps#2-users-are-redirected-back-to-your-site-by-github
// (JSON with `Accept: application/json`).
const tokenResponse = { access_token: TOKEN, scope: 'repo', token_type: 'bearer' };
// https://docs.github.com/en/rest/users/users#get-the-authenticated-user, as in test/providers/github.test.ts.
const user = { login: 'octocat', id: 1, node_id: 'MDQ6VXNlcjE=', type: 'User', name: 'monalisa octocat', email: 'octocat@github.com' };

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E({ PROVIDER_GITHUB_CLIENT_ID: CLIENT_ID, PROVIDER_GITHUB_CLIENT_SECRET: CLIENT_SECRET });
});
afterAll(async () => {
  await e2e?.close();
});

function getUser() {
  return received(nock('https://api.github.com').get('/user').reply(200, user, { 'content-type': 'application/json; charset=utf-8' }));
}

describe('GitHub through the admin API (OAuth app)', () => {
  let id: string;

  it('connect: authorize URL → callback → token exchange → GET /user → encrypted row', async () => {
    const { url, params } = await e2e.startOAuth({ provider: 'github' });
    expect(url.origin + url.pathname).toBe('https://github.com/login/oauth/authorize');
    expect(params).toEqual({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT_URI,
      state: expect.stringMatching(/^[\w-]+\.[\w-]+$/),
      scope: 'repo',
    });

    const token = received(nock('https://github.com').post('/login/oauth/access_token').reply(200, tokenResponse, { 'content-type': 'application/json; charset=utf-8' }));
    const whoami = getUser();
    const page = await e2e.callback({ code: CODE, state: params.state! });
    expect(page.status).toBe(200);
    expect(page.html).toContain('GitHub is connected as octocat');

    expect(token).toHaveLength(1);
    expect(token[0]!.headers.get('accept')).toBe('application/json'); // else GitHub answers form-encoded
    expect(token[0]!.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
    expect(token[0]!.headers.get('authorization')).toBeNull();
    expect(formOf(token[0]!.body)).toEqual({
      grant_type: 'authorization_code',
      code: CODE,
      redirect_uri: REDIRECT_URI,
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
    });

    expect(whoami).toHaveLength(1);
    expect(whoami[0]!.headers.get('authorization')).toBe(`Bearer ${TOKEN}`);
    expect(whoami[0]!.headers.get('accept')).toBe('application/vnd.github+json');
    expect(whoami[0]!.headers.get('x-github-api-version')).toBe('2022-11-28');

    const [row] = await e2e.rows('github');
    expect(row).toMatchObject({
      status: 'connected',
      auth_kind: 'oauth2',
      display_name: 'GitHub',
      metadata: { accountId: '1', accountName: 'octocat', scopes: ['repo'], extra: { login: 'octocat' } },
      token_expires_at: null, // OAuth app tokens do not expire
    });
    expect(row!.credentials).not.toContain(TOKEN);
    expect(e2e.decrypt(row!.credentials!)).toMatchObject({ type: 'oauth2', accessToken: TOKEN });
    id = row!.id;
  });

  it('test: GET /user with the stored token', async () => {
    const whoami = getUser();
    const res = await e2e.call(`/api/v1/connections/${id}/test`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, account: { id: '1', name: 'octocat' }, connection: { status: 'connected' } });
    expect(whoami[0]!.headers.get('authorization')).toBe(`Bearer ${TOKEN}`);
  });

  it('disconnect: DELETE /applications/{client_id}/token with Basic client credentials and { access_token }', async () => {
    const revoke = received(nock('https://api.github.com').delete(`/applications/${CLIENT_ID}/token`).reply(204));
    const res = await e2e.call(`/api/v1/connections/${id}/disconnect`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ revoke: 'revoked', note: 'Access was revoked at GitHub.', connection: { status: 'disconnected' } });

    expect(revoke).toHaveLength(1);
    expect(revoke[0]!.method).toBe('DELETE');
    expect(revoke[0]!.url.pathname).toBe(`/applications/${CLIENT_ID}/token`);
    expect(revoke[0]!.headers.get('authorization')).toBe(basicAuth(CLIENT_ID, CLIENT_SECRET));
    expect(revoke[0]!.headers.get('accept')).toBe('application/vnd.github+json');
    expect(revoke[0]!.headers.get('x-github-api-version')).toBe('2022-11-28');
    expect(revoke[0]!.headers.get('content-type')).toBe('application/json');
    expect(JSON.parse(revoke[0]!.body)).toEqual({ access_token: TOKEN });

    expect(await e2e.row(id)).toMatchObject({ status: 'disconnected', credentials: null });
  });

  it('a code GitHub refuses (200 with bad_verification_code) connects nothing and says so', async () => {
    const page = await e2e.expectRefusedCode({
      provider: 'github',
      name: 'GitHub',
      displayName: 'GitHub two',
      code: 'gh-stale-code-0000',
      refuse: () => {
        // https://docs.github.com/en/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-oauth-app-access-token-request-errors#bad-verification-code
        nock('https://github.com').post('/login/oauth/access_token').reply(
          200,
          {
            error: 'bad_verification_code',
            error_description: 'The code passed is incorrect or expired.',
            error_uri: 'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#bad-verification-code',
          },
          { 'content-type': 'application/json; charset=utf-8' },
        );
      },
    });
    expect(page.html).toContain('The code passed is incorrect or expired.');
  });

  it('no token, code or client secret in any API body, page, log line or log/event/audit row', async () => {
    await e2e.expectNoSecrets([TOKEN, CLIENT_SECRET, CODE]);
  });
});
