import { describe, expect, it } from 'vitest';
import { jira } from '../../src/providers/jira/index.ts';
import { myselfSchema } from '../../src/providers/jira/connector.ts';
import { testContext } from '../providers/helpers.ts';
import { instances, loadOpenApi, responseSchema } from './describe.ts';
import { exercise, expectRequestsValid, expectSchemaNotStricter } from './harness.ts';

const doc = loadOpenApi('jira.openapi.json');
const CLOUD = '1324a887-45db-1bf4-1e99-ef0ff456d421';
const creds = { type: 'oauth2' as const, accessToken: 'jira-access-token-0123456789', scopes: [] };
const sites = [{ id: CLOUD, url: 'https://acme.atlassian.net', name: 'acme', scopes: ['read:jira-user'] }];
const [, full] = instances(doc, responseSchema(doc, 'GET', '/rest/api/3/myself', 200));

describe('Jira Cloud against its OpenAPI description', () => {
  it('names its source', () => expect(doc.source).toContain('swagger-v3.v3.json'));

  it('/myself through the API gateway is the documented operation; accessible-resources is an OAuth call outside it', async () => {
    const reqs = await exercise('https://api.atlassian.com', [
      { method: 'GET', path: '/oauth/token/accessible-resources', status: 200, body: sites },
      { method: 'GET', path: `/ex/jira/${CLOUD}/rest/api/3/myself`, status: 200, body: full },
    ], () => jira.connector.test(testContext({ provider: jira, credentials: creds })));
    expect(reqs.map((r) => r.url.pathname)).toEqual(['/oauth/token/accessible-resources', `/ex/jira/${CLOUD}/rest/api/3/myself`]);
    // The gateway prefix /ex/jira/{cloudId} stands for the site's https://your-domain.atlassian.net.
    expectRequestsValid(doc, reqs.slice(1).map((r) => ({ ...r, url: new URL(r.url.href.replace(`/ex/jira/${CLOUD}`, '')) })));
  });

  it('the response schema is not stricter than the description', () => expectSchemaNotStricter(doc, 'GET', '/rest/api/3/myself', myselfSchema));
});
