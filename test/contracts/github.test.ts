import { describe, expect, it } from 'vitest';
import { github } from '../../src/providers/github/index.ts';
import { userSchema } from '../../src/providers/github/connector.ts';
import { testContext } from '../providers/helpers.ts';
import { instances, loadOpenApi, responseSchema } from './describe.ts';
import { exercise, expectRequestsValid, expectSchemaNotStricter } from './harness.ts';

const doc = loadOpenApi('github.openapi.json');
const creds = { type: 'oauth2' as const, accessToken: 'gho_16C7e42F292c6912E7710c838347Ae178B4a', scopes: [] };
const client = { clientId: 'Iv1.8a61f9b3a7aba766', clientSecret: 'gh-client-secret-1234567890' };

describe('GitHub against its OpenAPI description', () => {
  it('names its source', () => expect(doc.source).toContain('@octokit/openapi@23.0.2'));

  it('test and revoke send documented requests; every documented /user shape parses', async () => {
    for (const body of instances(doc, responseSchema(doc, 'GET', '/user', 200))) {
      const reqs = await exercise('https://api.github.com', [{ method: 'GET', path: '/user', status: 200, body }], async () => {
        expect(await github.connector.test(testContext({ provider: github, credentials: creds }))).toMatchObject({ accountId: '1' });
      });
      expectRequestsValid(doc, reqs);
    }
    const revoke = await exercise('https://api.github.com', [{ method: 'DELETE', path: `/applications/${client.clientId}/token`, status: 204 }], () =>
      github.connector.revoke!(testContext({ provider: github, credentials: creds, oauthClient: client })),
    );
    expectRequestsValid(doc, revoke);
  });

  it('the revoke statuses the description lists (204, 422) are handled', () => {
    expect(Object.keys(doc.paths['/applications/{client_id}/token']!.delete.responses).sort()).toEqual(['204', '422']);
  });

  it('the response schema is not stricter than the description', () => expectSchemaNotStricter(doc, 'GET', '/user', userSchema));
});
