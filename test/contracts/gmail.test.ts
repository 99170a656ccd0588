import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gmail } from '../../src/providers/gmail/index.ts';
import { profileSchema } from '../../src/providers/gmail/connector.ts';
import { requestedScopes } from '../../src/providers/_shared/oauth.ts';
import { testContext } from '../providers/helpers.ts';
import { instances, loadDiscovery, responseSchema } from './describe.ts';
import { exercise, expectFixtureValid, expectRequestsValid, expectSchemaNotStricter } from './harness.ts';

const doc = loadDiscovery('gmail.discovery.json');
const PATH = '/gmail/v1/users/me/profile';
const creds = { type: 'oauth2' as const, accessToken: 'ya29.a0AfH6SMBx-gmail-access-token', refreshToken: '1//0g-gmail-refresh-token-value', scopes: [] };
const profile = { emailAddress: 'ada@example.com', messagesTotal: 4182, threadsTotal: 3907, historyId: '1234567' };

describe('Gmail against its Discovery document', () => {
  it('names its source', () => expect(doc.source).toContain('gmail/v1/gmail-api.json'));

  it('test is users.getProfile; the revoke URL is Google OAuth, outside the Gmail description', async () => {
    expectFixtureValid(doc, 'GET', PATH, 200, profile);
    const reqs = await exercise('https://gmail.googleapis.com', [{ method: 'GET', path: PATH, status: 200, body: profile }], () =>
      gmail.connector.test(testContext({ provider: gmail, credentials: creds })),
    );
    expectRequestsValid(doc, reqs);
    expect(reqs.map((r) => r.url.href)).toEqual(['https://gmail.googleapis.com/gmail/v1/users/me/profile']);
    expect(gmail.definition.auth.oauth2!.revokeUrl).toBe('https://oauth2.googleapis.com/revoke');
  });

  it('the response schema is not stricter than the description', () => {
    expectSchemaNotStricter(doc, 'GET', PATH, profileSchema);
    expect(instances(doc, responseSchema(doc, 'GET', PATH, 200))[0]).toEqual({});
  });

  it('the scopes Patchbay requests include one the description allows for users.getProfile', () => {
    const raw = JSON.parse(readFileSync(new URL('./cuts/gmail.discovery.json', import.meta.url), 'utf8'));
    const allowed: string[] = raw.resources.users.methods.getProfile.scopes;
    expect(requestedScopes(gmail.definition).filter((s) => allowed.includes(s))).toEqual(['https://www.googleapis.com/auth/gmail.readonly']);
  });
});
