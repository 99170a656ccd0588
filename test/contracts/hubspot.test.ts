import { describe, expect, it } from 'vitest';
import { hubspot } from '../../src/providers/hubspot/index.ts';
import { introspectionSchema } from '../../src/providers/hubspot/connector.ts';
import { testContext } from '../providers/helpers.ts';
import { HUBSPOT_ACCESS, HUBSPOT_CLIENT, introspection } from '../providers/fixtures/hubspot.ts';
import { loadOpenApi } from './describe.ts';
import { exercise, expectFixtureValid, expectRequestsValid, expectSchemaNotStricter } from './harness.ts';

const doc = loadOpenApi('hubspot.openapi.json');
const v1 = loadOpenApi('hubspot-v1.openapi.json');
const creds = { type: 'oauth2' as const, accessToken: HUBSPOT_ACCESS, refreshToken: 'na1-ab12-cd34-ef56-gh78-abcdef123456', scopes: [] };
const ctx = () => testContext({ provider: hubspot, credentials: creds, oauthClient: HUBSPOT_CLIENT });

describe('HubSpot against its OAuth v3 description', () => {
  it('names its source', () => expect(doc.source).toContain('PublicApiSpecs/Auth/Oauth/Rollouts/279897/v3/oauth.json'));

  it('test (introspect) and revoke send documented form requests; the fixture is a documented response', async () => {
    expectFixtureValid(doc, 'POST', '/oauth/v3/token/introspect', 200, introspection);
    const reqs = await exercise('https://api.hubapi.com', [
      { method: 'POST', path: '/oauth/v3/token/introspect', status: 200, body: introspection },
      { method: 'POST', path: '/oauth/v3/token/revoke', status: 204 },
    ], async () => {
      await hubspot.connector.test(ctx());
      await hubspot.connector.revoke!(ctx());
    });
    expect(reqs.map((r) => r.url.pathname)).toEqual(['/oauth/v3/token/introspect', '/oauth/v3/token/revoke']);
    expectRequestsValid(doc, reqs);
  });

  it('no call the connector makes is deprecated', () => {
    for (const d of [doc, v1]) for (const item of Object.values(d.paths)) for (const op of Object.values<any>(item)) expect(op.deprecated ?? false).toBe(false);
  });

  it('the response schema is not stricter than the description (both introspection variants)', () =>
    expectSchemaNotStricter(doc, 'POST', '/oauth/v3/token/introspect', introspectionSchema));
});
