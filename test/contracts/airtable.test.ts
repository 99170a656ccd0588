/**
 * Airtable publishes no machine-readable description of its Web API (its reference pages are
 * generated per base; https://airtable.com/developers/web/api/introduction has no OpenAPI
 * download, and no official repository carries one — checked for issue 17). The doc page says so.
 * This test pins down the one request the connector makes against Airtable's reference page
 * instead, exactly: https://airtable.com/developers/web/api/get-user-id-scopes
 * (`GET https://api.airtable.com/v0/meta/whoami`, no parameters, Bearer token; 200 `{ id, email?,
 * scopes? }`). The OAuth routes (https://airtable.com/developers/web/api/oauth-reference) are
 * checked by the end-to-end test; there is no revoke route.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { airtable } from '../../src/providers/airtable/index.ts';
import { whoamiSchema } from '../../src/providers/airtable/connector.ts';
import { docPath } from '../../src/providers/write-docs.ts';
import { testContext } from '../providers/helpers.ts';
import { exercise } from './harness.ts';

const pat = { type: 'api_key' as const, fields: { token: 'patAbCdEfGhIjKlMn0.0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef' } };

describe('Airtable against its reference pages (no published description)', () => {
  it('the doc page says there is no published description', () => {
    expect(readFileSync(docPath('airtable'), 'utf8')).toContain('publishes no machine-readable API description');
  });

  it('the test is exactly the documented GET /v0/meta/whoami: no query, no body, Bearer auth', async () => {
    const reqs = await exercise('https://api.airtable.com', [{ method: 'GET', path: '/v0/meta/whoami', status: 200, body: { id: 'usrL2PNC5o3H4lBEi', email: 'foo@bar.com' } }], () =>
      airtable.connector.test(testContext({ provider: airtable, credentials: pat })),
    );
    expect(reqs.map((r) => `${r.method} ${r.url.href}`)).toEqual(['GET https://api.airtable.com/v0/meta/whoami']);
    expect(reqs[0]!.body).toBe('');
    expect(reqs[0]!.headers.get('authorization')).toBe(`Bearer ${pat.fields.token}`);
  });

  it('the response schema accepts every documented shape: id alone, with email, with scopes', () => {
    for (const body of [{ id: 'usr1' }, { id: 'usr1', email: 'foo@bar.com' }, { id: 'usr1', scopes: ['user.email:read'] }]) expect(whoamiSchema.safeParse(body).success).toBe(true);
    expect(whoamiSchema.safeParse({ email: 'foo@bar.com' }).success).toBe(false);
  });

  it('no revoke: the connector makes no other request', () => expect(airtable.connector.revoke).toBeUndefined());
});
