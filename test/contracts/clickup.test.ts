import { describe, expect, it } from 'vitest';
import { clickup } from '../../src/providers/clickup/index.ts';
import { userResponseSchema } from '../../src/providers/clickup/connector.ts';
import { exchangeCode } from '../../src/providers/_shared/oauth.ts';
import { resolveProviderUrls } from '../../src/providers/_shared/urls.ts';
import { authorizedUser } from '../providers/fixtures/clickup.ts';
import { captureLogger, testContext } from '../providers/helpers.ts';
import { checkRequest, loadOpenApi } from './describe.ts';
import { exercise, expectFixtureValid, expectRequestsValid, expectSchemaNotStricter } from './harness.ts';

const doc = loadOpenApi('clickup.openapi.json');
const apiKey = { type: 'api_key' as const, fields: { apiToken: 'pk_183_0123456789ABCDEFGHIJKLMNOPQRSTUV' } };

describe('ClickUp against its published OpenAPI description (GetAuthorizedUser, GetAccessToken)', () => {
  it('names its source', () => expect(doc.source).toContain('kaofelix/cucli : clickup-api-docs/getauthorizeduser.md'));

  it('the test is the documented GET /v2/user; the fixture is a documented response', async () => {
    expectFixtureValid(doc, 'GET', '/api/v2/user', 200, authorizedUser);
    const reqs = await exercise('https://api.clickup.com', [{ method: 'GET', path: '/api/v2/user', status: 200, body: authorizedUser }], () =>
      clickup.connector.test(testContext({ provider: clickup, credentials: apiKey })),
    );
    expect(reqs.map((r) => `${r.method} ${r.url.pathname}`)).toEqual(['GET /api/v2/user']);
    expectRequestsValid(doc, reqs);
  });

  it('the response schema is not stricter than the description', () => expectSchemaNotStricter(doc, 'GET', '/api/v2/user', userResponseSchema));

  it('the code exchange sends what GetAccessToken requires (client_id, client_secret, code)', async () => {
    const urls = resolveProviderUrls(clickup, { raw: {} });
    const reqs = await exercise('https://api.clickup.com', [{ method: 'POST', path: '/api/v2/oauth/token', status: 200, body: { access_token: '183_clickup-oauth-access' } }], () =>
      exchangeCode(clickup, urls, { clientId: 'QVOQP06ZXC6CMGVFKB0ZT7J9Y7APOYGO', clientSecret: 'clickup-client-secret-0123' }, { code: 'clickup-code-1', redirectUri: 'https://patchbay.example.test/oauth/callback' }, { logger: captureLogger().logger }),
    );
    expect(reqs).toHaveLength(1);
    expectRequestsValid(doc, reqs);
  });

  it('the check can fail: a token request without the code is refused', () => {
    const body = new URLSearchParams({ client_id: 'a', client_secret: 'b' }).toString();
    const problems = checkRequest(doc, { method: 'POST', url: new URL('https://api.clickup.com/api/v2/oauth/token'), headers: new Headers({ 'content-type': 'application/x-www-form-urlencoded' }), body });
    expect(problems.join('\n')).toContain('code');
  });
});
