import { describe, expect, it } from 'vitest';
import { asana } from '../../src/providers/asana/index.ts';
import { meResponseSchema } from '../../src/providers/asana/connector.ts';
import { testContext } from '../providers/helpers.ts';
import { instances, loadOpenApi, responseSchema } from './describe.ts';
import { exercise, expectRequestsValid, expectSchemaNotStricter } from './harness.ts';

const doc = loadOpenApi('asana.openapi.json');
const creds = { type: 'oauth2' as const, accessToken: 'asana-access-0123456789', refreshToken: 'asana-refresh-9876543210', scopes: [] };
const client = { clientId: 'asana-client', clientSecret: 'asana-secret-abcdef' };
const [minimal, full] = instances(doc, responseSchema(doc, 'GET', '/api/1.0/users/me', 200));

describe('Asana against its OpenAPI description', () => {
  it('names its source', () => expect(doc.source).toContain('Asana/openapi : defs/asana_oas.yaml'));

  it('test: GET /users/{user_gid} with opt_fields from the enum only', async () => {
    const reqs = await exercise('https://app.asana.com', [{ method: 'GET', path: '/api/1.0/users/me', status: 200, body: full }], () =>
      asana.connector.test(testContext({ provider: asana, credentials: creds })),
    );
    expectRequestsValid(doc, reqs);
  });

  it('revoke goes to /-/oauth_revoke, an OAuth endpoint outside the API description', async () => {
    const reqs = await exercise('https://app.asana.com', [{ method: 'POST', path: '/-/oauth_revoke', status: 200 }], () =>
      asana.connector.revoke!(testContext({ provider: asana, credentials: creds, oauthClient: client })),
    );
    expect(reqs.map((r) => r.url.pathname)).toEqual(['/-/oauth_revoke']);
  });

  it('the response schema is not stricter than the description', () => {
    expectSchemaNotStricter(doc, 'GET', '/api/1.0/users/me', meResponseSchema);
    expect(minimal).toEqual({});
  });
});
