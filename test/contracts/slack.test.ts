/**
 * Slack against its published description: slackapi/slack-api-specs, a Swagger 2.0 document
 * (last updated 2021), converted to the OpenAPI 3 shape describe.ts reads by ./swagger2.ts and cut
 * to the three methods Patchbay uses (see the cut's `x-source`).
 *
 * One named gap: the description writes the credential as a `token` parameter (a header named
 * `token` on auth.test, a query parameter on auth.revoke). Slack's method pages say the token goes
 * in the `Authorization: Bearer` header ("Tokens should be passed as an HTTP Authorization header or
 * alternatively, as a POST parameter" — https://docs.slack.dev/reference/methods/auth.revoke), which
 * is what the connector sends; so each request is checked to have exactly that one difference.
 */
import { describe, expect, it } from 'vitest';
import { slack } from '../../src/providers/slack/index.ts';
import { authTestSchema, revokeSchema } from '../../src/providers/slack/connector.ts';
import { authTestBot, invalidAuth, revoked } from '../providers/fixtures/slack.ts';
import { testContext } from '../providers/helpers.ts';
import { checkRequest, loadOpenApi, responseSchema, validate } from './describe.ts';
import { exercise, expectFixtureValid, expectSchemaNotStricter } from './harness.ts';

const doc = loadOpenApi('slack.openapi.json');
const TOKEN = 'xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy';
const creds = { type: 'oauth2' as const, accessToken: TOKEN, scopes: ['channels:read', 'chat:write'] };
const ctx = () => testContext({ provider: slack, credentials: creds });

describe('Slack against its published description (Swagger 2.0, converted)', () => {
  it('names its source and the conversion', () => {
    expect(doc.source).toContain('slackapi/slack-api-specs : web-api/slack_web_openapi_v2.json @ bc08db49625630e3585bf2f1322128ea04f2a7f3');
    expect(doc.source).toContain('converted to the OpenAPI 3 shape by test/contracts/swagger2.ts');
    expect(Object.keys(doc.paths)).toEqual(['/auth.test', '/auth.revoke', '/oauth.v2.access']);
  });

  it('the test is the described GET /api/auth.test; its only difference is the token in Authorization, not a `token` header', async () => {
    const reqs = await exercise('https://slack.com', [{ method: 'GET', path: '/api/auth.test', status: 200, body: authTestBot }], () => slack.connector.test(ctx()));
    expect(reqs.map((r) => `${r.method} ${r.url.pathname}${r.url.search}`)).toEqual(['GET /api/auth.test']);
    expect(checkRequest(doc, reqs[0]!)).toEqual(['header parameter token: required']);
    expect(reqs[0]!.headers.get('authorization')).toBe(`Bearer ${TOKEN}`);
    expect(reqs[0]!.body).toBe('');
  });

  it('the revoke is the described GET /api/auth.revoke; the token goes in Authorization, never in the query', async () => {
    const reqs = await exercise('https://slack.com', [{ method: 'GET', path: '/api/auth.revoke', status: 200, body: revoked }], () => slack.connector.revoke!(ctx()));
    expect(reqs.map((r) => `${r.method} ${r.url.pathname}${r.url.search}`)).toEqual(['GET /api/auth.revoke']);
    expect(checkRequest(doc, reqs[0]!)).toEqual(['query parameter token: required']);
    expect(reqs[0]!.headers.get('authorization')).toBe(`Bearer ${TOKEN}`);
  });

  it('the fixtures are described responses: auth.test and auth.revoke successes, and the failure shape', () => {
    expectFixtureValid(doc, 'GET', '/api/auth.test', 200, authTestBot);
    expectFixtureValid(doc, 'GET', '/api/auth.revoke', 200, revoked);
    for (const [path, error] of [['/api/auth.test', 'invalid_auth'], ['/api/auth.test', 'token_revoked'], ['/api/auth.revoke', 'invalid_auth']] as const) {
      expect(validate(doc, responseSchema(doc, 'GET', path, 500), { ...invalidAuth, error }), `${path} ${error}`).toEqual([]);
    }
    // The success schema is closed: a field the description lacks fails, so this check can fail.
    expect(validate(doc, responseSchema(doc, 'GET', '/api/auth.test', 200), { ...authTestBot, extra: 1 })).not.toEqual([]);
  });

  it('the error codes the connector reads as auth failures are in the described auth.test error enum', () => {
    const errors: string[] = responseSchema(doc, 'GET', '/api/auth.test', 500).properties.error.enum;
    expect(errors).toEqual(expect.arrayContaining(['not_authed', 'invalid_auth', 'account_inactive', 'token_revoked']));
  });

  it('the response schemas are not stricter than the description', () => {
    expectSchemaNotStricter(doc, 'GET', '/api/auth.test', authTestSchema);
    expectSchemaNotStricter(doc, 'GET', '/api/auth.revoke', revokeSchema);
  });

  it('oauth.v2.access: the description names client_id, client_secret, code and redirect_uri, the fields the exchange sends besides grant_type', () => {
    const op = doc.paths['/oauth.v2.access']!.get;
    expect(op.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['client_id', 'client_secret', 'code', 'redirect_uri']);
    expect(validate(doc, responseSchema(doc, 'GET', '/api/oauth.v2.access', 200), { ok: true, access_token: TOKEN, token_type: 'bot', team: { id: 'T0A1B2C3D', name: 'Acme HQ' } })).toEqual([]);
  });
});
