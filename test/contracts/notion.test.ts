import { describe, expect, it } from 'vitest';
import { notion } from '../../src/providers/notion/index.ts';
import { meResponseSchema } from '../../src/providers/notion/connector.ts';
import { NOTION_VERSION } from '../../src/providers/notion/definition.ts';
import { botUser } from '../providers/fixtures/notion.ts';
import { testContext } from '../providers/helpers.ts';
import { loadOpenApi } from './describe.ts';
import { exercise, expectFixtureValid, expectRequestsValid, expectSchemaNotStricter } from './harness.ts';

const doc = loadOpenApi('notion.openapi.json');
const creds = { type: 'oauth2' as const, accessToken: 'ntn_4560123456789abcdefNotionAccessToken0', scopes: [] };

describe('Notion against its published OpenAPI description (a subset: the MCP server’s)', () => {
  it('names its source', () => expect(doc.source).toContain('makenotion/notion-mcp-server : scripts/notion-openapi.json'));

  it('the test is the documented GET /v1/users/me, with the Notion-Version the description defaults to; the fixture is a documented response', async () => {
    expectFixtureValid(doc, 'GET', '/v1/users/me', 200, botUser);
    const reqs = await exercise('https://api.notion.com', [{ method: 'GET', path: '/v1/users/me', status: 200, body: botUser }], () =>
      notion.connector.test(testContext({ provider: notion, credentials: creds })),
    );
    expect(reqs.map((r) => `${r.method} ${r.url.pathname}`)).toEqual(['GET /v1/users/me']);
    expectRequestsValid(doc, reqs);
    const version = doc.paths['/v1/users/me']!.get.parameters.map((p: { $ref?: string }) => doc.components.parameters[p.$ref!.split('/').pop()!]).find((p: { name: string }) => p.name === 'Notion-Version');
    expect(reqs[0]!.headers.get('notion-version')).toBe(version.schema.default);
    expect(NOTION_VERSION).toBe(version.schema.default);
  });

  it('the response schema is not stricter than the description', () => expectSchemaNotStricter(doc, 'GET', '/v1/users/me', meResponseSchema));

  it('the OAuth endpoints (token, revoke) are outside the description: the doc page says so', () => {
    expect(Object.keys(doc.paths)).toEqual(['/v1/users/me']);
  });
});
