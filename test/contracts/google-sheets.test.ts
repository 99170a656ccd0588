import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { googleSheets } from '../../src/providers/google-sheets/index.ts';
import { userinfoSchema } from '../../src/providers/google-sheets/connector.ts';
import { testContext } from '../providers/helpers.ts';
import { instances, loadDiscovery, responseSchema } from './describe.ts';
import { exercise, expectFixtureValid, expectRequestsValid, expectSchemaNotStricter } from './harness.ts';

const FILE = 'google-sheets.oauth2.discovery.json';
const doc = loadDiscovery(FILE);
const PATH = '/oauth2/v2/userinfo';
const creds = { type: 'oauth2' as const, accessToken: 'ya29.a0AfH6SMBx-sheets-access-token', refreshToken: '1//0g-sheets-refresh-token-value', scopes: [] };
const userinfo = { id: '110169484474386276334', email: 'ada@example.com', verified_email: true, hd: 'example.com' };

describe('Google Sheets against the Google OAuth2 Discovery document (its test call)', () => {
  it('names its source, and says no Sheets method is called yet', () => {
    expect(doc.source).toContain('oauth2/v2/oauth2-api.json');
    expect(doc.source).toContain('No method of sheets/v4/sheets-api.json is called yet');
  });

  it('test is oauth2.userinfo.get; the revoke URL is Google OAuth', async () => {
    expectFixtureValid(doc, 'GET', PATH, 200, userinfo);
    const reqs = await exercise('https://www.googleapis.com', [{ method: 'GET', path: PATH, status: 200, body: userinfo }], () =>
      googleSheets.connector.test(testContext({ provider: googleSheets, credentials: creds })),
    );
    expectRequestsValid(doc, reqs);
    expect(reqs.map((r) => r.url.href)).toEqual(['https://www.googleapis.com/oauth2/v2/userinfo']);
    expect(googleSheets.definition.auth.oauth2!.revokeUrl).toBe('https://oauth2.googleapis.com/revoke');
  });

  it('the response schema is not stricter than the description', () => {
    expectSchemaNotStricter(doc, 'GET', PATH, userinfoSchema);
    expect(instances(doc, responseSchema(doc, 'GET', PATH, 200))[0]).toEqual({});
  });

  it('the scopes always requested include one the description allows for userinfo.get', () => {
    const raw = JSON.parse(readFileSync(new URL(`./cuts/${FILE}`, import.meta.url), 'utf8'));
    const allowed: string[] = raw.resources.userinfo.methods.get.scopes;
    expect(googleSheets.definition.auth.oauth2!.defaultScopes.filter((s) => allowed.includes(s))).toEqual(['https://www.googleapis.com/auth/userinfo.email']);
  });
});
