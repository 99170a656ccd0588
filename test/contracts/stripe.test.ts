import { describe, expect, it } from 'vitest';
import { stripe } from '../../src/providers/stripe/index.ts';
import { accountSchema } from '../../src/providers/stripe/connector.ts';
import { testContext } from '../providers/helpers.ts';
import { instances, loadOpenApi, responseSchema, validate } from './describe.ts';
import { exercise, expectFixtureValid, expectRequestsValid, expectSchemaNotStricter } from './harness.ts';

const doc = loadOpenApi('stripe.openapi.json');
const creds = { type: 'api_key' as const, fields: { apiKey: 'rk_test_51H8xYzAbCdEfGhIjKlMnOpQrStUvWx' } };

describe('Stripe against its OpenAPI description', () => {
  it('names its source', () => expect(doc.source).toContain('stripe/openapi : openapi/spec3.yaml @ 63a674638635c68de26b9f3add13e58198f4df44'));

  it('the test sends the documented GET /v1/account; every documented account shape gives an account', async () => {
    for (const body of instances(doc, responseSchema(doc, 'GET', '/v1/account', 200))) {
      const reqs = await exercise('https://api.stripe.com', [{ method: 'GET', path: '/v1/account', status: 200, body }], async () => {
        expect(await stripe.connector.test(testContext({ provider: stripe, credentials: creds }))).toMatchObject({ accountId: expect.any(String) });
      });
      expectRequestsValid(doc, reqs);
    }
  });

  it('the account names the connector reads are where the description puts them', () => {
    const account = doc.components.schemas.account;
    expect(account.required).toEqual(['id', 'object']);
    expect(Object.keys(account.properties)).toEqual(expect.arrayContaining(['business_profile', 'settings', 'email']));
    expect(doc.components.schemas.account_business_profile.properties.name).toMatchObject({ type: 'string', nullable: true });
    expect(doc.components.schemas.account_dashboard_settings.properties.display_name).toMatchObject({ type: 'string', nullable: true });
  });

  it('the error fixture of the unit tests is a documented error', () => {
    const schema = responseSchema(doc, 'GET', '/v1/account', 401);
    expect(validate(doc, schema, { error: { message: 'Invalid API Key provided: rk_test_****UvWx', type: 'invalid_request_error' } })).toEqual([]);
    expect(validate(doc, schema, { message: 'no envelope' })).not.toEqual([]);
    expectFixtureValid(doc, 'GET', '/v1/account', 200, { id: 'acct_1Nv0FGQ9RKHgCVdK', object: 'account', business_profile: { name: 'Acme Rockets' }, email: 'billing@acme.example' });
  });

  it('the response schema is not stricter than the description', () => expectSchemaNotStricter(doc, 'GET', '/v1/account', accountSchema));
});
