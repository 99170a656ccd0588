/**
 * Microsoft 365's Graph subscription calls against Microsoft's published description: POST
 * /subscriptions, PATCH and DELETE /subscriptions/{subscription-id}, cut from the ChangeNotifications module
 * of the Graph v1.0 OpenAPI (microsoftgraph/msgraph-sdk-powershell : openApiDocs/v1.0/ChangeNotifications.yml,
 * Microsoft's per-module split of what microsoftgraph/msgraph-metadata publishes whole as
 * openapi/v1.0/openapi.yaml — too large to fetch here). `GET /me` (the test of both Microsoft
 * providers) lives in the Users module (1.2 MB, its `user` schema reaching most of the API) and is
 * not cut yet: the doc pages say so.
 */
import { describe, expect, it } from 'vitest';
import { subscriptionSchema } from '../../src/providers/_shared/microsoft.ts';
import { microsoft365 } from '../../src/providers/microsoft-365/index.ts';
import { testContext } from '../providers/helpers.ts';
import { loadOpenApi, responseSchema, validate } from './describe.ts';
import { exercise, expectFixtureValid, expectRequestsValid, expectSchemaNotStricter } from './harness.ts';

const raw = loadOpenApi('microsoft-graph-subscriptions.openapi.json');
/**
 * Graph's generated description marks every schema an OData open type with
 * `additionalProperties: { type: object }` — on each `allOf` branch too, so read as strict JSON
 * Schema the `entity` branch would refuse every subscription property but `id`. Its intent is
 * "more properties may come": the checks below drop that annotation and validate everything else.
 */
function withoutOpenTypes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutOpenTypes);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([k, v]) => !(k === 'additionalProperties' && JSON.stringify(v) === '{"type":"object"}')).map(([k, v]) => [k, withoutOpenTypes(v)]));
}
const doc = { ...raw, components: withoutOpenTypes(raw.components), paths: withoutOpenTypes(raw.paths) as typeof raw.paths };
const GRAPH = 'https://graph.microsoft.com';
const creds = { type: 'oauth2' as const, accessToken: 'eyJ0eXAi.contract-access', refreshToken: '0.AR-contract-refresh', scopes: [] };
const ctx = () => testContext({ provider: microsoft365, credentials: creds });
const URL_ = 'https://patchbay.example.com/webhooks/microsoft-365/11111111-1111-4111-8111-111111111111/22222222-2222-4222-8222-222222222222';
// https://learn.microsoft.com/graph/api/subscription-post-subscriptions (response example).
const created = {
  '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#subscriptions/$entity',
  id: '7f105c7d-2dc5-4530-97cd-4e7ae6534c07',
  resource: 'me/events',
  applicationId: '24d3b144-21ae-4080-943f-7067b395b913',
  changeType: 'created,updated,deleted',
  clientState: 'a'.repeat(64),
  notificationUrl: URL_,
  expirationDateTime: '2027-03-12T18:23:45.9356913Z',
  creatorId: '8ee44408-0679-472c-bc2a-692812af3437',
  latestSupportedTlsVersion: 'v1_2',
};

describe('Microsoft Graph subscriptions against the published OpenAPI (ChangeNotifications, v1.0)', () => {
  it.todo('GET /me (the connection test): in the Users module, not cut yet (see the doc page)');

  it('names its source', () => {
    expect(doc.source).toContain('microsoftgraph/msgraph-sdk-powershell : openApiDocs/v1.0/ChangeNotifications.yml');
  });

  it('the OAuth endpoints are the description’s own (azureaadv2: the common tenant’s authorize and token URLs)', () => {
    const flow = raw.components.securitySchemes.azureaadv2.flows.authorizationCode;
    expect(microsoft365.definition.auth.oauth2).toMatchObject({ authorizeUrl: flow.authorizationUrl, tokenUrl: flow.tokenUrl });
  });

  it('the open-type annotation is the only thing the literal description refuses (the known gap)', () => {
    const problems = validate(raw, responseSchema(raw, 'POST', '/v1.0/subscriptions', 201), created);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((p) => p.endsWith('expected object, got string'))).toBe(true);
  });

  it('creating, extending and deleting a subscription are documented operations with valid bodies', async () => {
    expectFixtureValid(doc, 'POST', '/v1.0/subscriptions', 201, created);
    const reqs = await exercise(GRAPH, [
      { method: 'POST', path: '/v1.0/subscriptions', status: 201, body: created },
      { method: 'PATCH', path: `/v1.0/subscriptions/${created.id}`, status: 200, body: { ...created, expirationDateTime: '2027-03-15T11:00:00.0000000Z' } },
      { method: 'DELETE', path: `/v1.0/subscriptions/${created.id}`, status: 204 },
    ], async () => {
      const reg = await microsoft365.webhooks!.register!(ctx(), { url: URL_, resource: 'me/events', registrationId: '22222222-2222-4222-8222-222222222222', secret: 'a'.repeat(64) });
      await microsoft365.webhooks!.renew!(ctx(), { remoteId: reg.remoteId, resource: 'me/events', secret: 'a'.repeat(64) });
      await microsoft365.webhooks!.unregister!(ctx(), { remoteId: reg.remoteId, resource: 'me/events', secret: 'a'.repeat(64) });
    });
    expect(reqs.map((r) => `${r.method} ${r.url.pathname}`)).toEqual(['POST /v1.0/subscriptions', `PATCH /v1.0/subscriptions/${created.id}`, `DELETE /v1.0/subscriptions/${created.id}`]);
    expectRequestsValid(doc, reqs);
  });

  it('the subscription schema is not stricter than the description', () => {
    const schema = { ...doc, paths: { '/subscriptions': { get: { responses: { 200: doc.paths['/subscriptions']!.post!.responses['201'] } } } } };
    expectSchemaNotStricter(schema, 'GET', '/v1.0/subscriptions', subscriptionSchema);
  });
});
