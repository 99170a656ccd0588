/**
 * Discord against its published description, discord/discord-api-spec (OpenAPI 3.1, API v10), cut
 * to the operation the connector uses (see the cut's `x-source`).
 *
 * The OAuth endpoints (`/oauth2/token`, `/oauth2/token/revoke`) are not in the description (its
 * `/oauth2/…` paths are `@me`, `applications/@me`, `keys` and `userinfo`); those requests are
 * checked against Discord's OAuth2 page (https://discord.com/developers/docs/topics/oauth2: RFC 7009
 * form fields, the app as HTTP Basic) here and in the nock tests, and the doc page says so.
 */
import { describe, expect, it } from 'vitest';
import { discord } from '../../src/providers/discord/index.ts';
import { userSchema } from '../../src/providers/discord/connector.ts';
import { me, rateLimited, unauthorized } from '../providers/fixtures/discord.ts';
import { testContext } from '../providers/helpers.ts';
import { findOperation, loadOpenApi, responseSchema, validate } from './describe.ts';
import { exercise, expectFixtureValid, expectRequestsValid, expectSchemaNotStricter } from './harness.ts';

const doc = loadOpenApi('discord.openapi.json');
const creds = { type: 'oauth2' as const, accessToken: '6qrZcUqja7812RVdnEKjpzOL4CvHBFG', scopes: ['identify', 'guilds'] };
const client = { clientId: '157730590492196864', clientSecret: 'discord-client-secret-Zx9y8W7v6U5t' };

describe('Discord against its published OpenAPI description', () => {
  it('names its source', () => {
    expect(doc.source).toContain('discord/discord-api-spec : specs/openapi.json @ 74fda0fad044407ea280043a03ffc9bc64c4e49e');
    expect(Object.keys(doc.paths)).toEqual(['/users/@me']);
  });

  it('the test is the described GET /api/v10/users/@me; every described user gives an account', async () => {
    expectFixtureValid(doc, 'GET', '/api/v10/users/@me', 200, me);
    const reqs = await exercise('https://discord.com', [{ method: 'GET', path: '/api/v10/users/@me', status: 200, body: me }], () =>
      discord.connector.test(testContext({ provider: discord, credentials: creds })),
    );
    expect(reqs.map((r) => `${r.method} ${r.url.pathname}${r.url.search}`)).toEqual(['GET /api/v10/users/@me']);
    expectRequestsValid(doc, reqs);
  });

  it('the operation allows an OAuth2 token with the identify scope (the scope the connection asks for)', () => {
    const op = findOperation(doc, 'GET', '/api/v10/users/@me')!.op;
    expect(op.security).toContainEqual({ OAuth2: ['identify'] });
    expect(discord.definition.auth.oauth2!.defaultScopes).toContain('identify');
  });

  it('the response schema is not stricter than the description', () => expectSchemaNotStricter(doc, 'GET', '/api/v10/users/@me', userSchema));

  it('the rate-limit and 401 fixtures are described responses; a body without retry_after is not', () => {
    expect(validate(doc, responseSchema(doc, 'GET', '/api/v10/users/@me', 429), rateLimited)).toEqual([]);
    expect(validate(doc, responseSchema(doc, 'GET', '/api/v10/users/@me', 429), { message: 'You are being rate limited.', code: 0 })).not.toEqual([]);
    const clientError = resolveErrorSchema();
    expect(validate(doc, clientError, unauthorized)).toEqual([]);
  });

  it('the revoke (outside the description) sends exactly the documented RFC 7009 form, the app as HTTP Basic', async () => {
    const [req] = await exercise('https://discord.com', [{ method: 'POST', path: '/api/oauth2/token/revoke', status: 200, body: {} }], () =>
      discord.connector.revoke!(testContext({ provider: discord, credentials: creds, oauthClient: client })),
    );
    expect(findOperation(doc, 'POST', '/api/v10/oauth2/token/revoke')).toBeUndefined();
    expect(req!.headers.get('content-type')).toMatch(/^application\/x-www-form-urlencoded/);
    expect(req!.headers.get('authorization')).toBe(`Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`);
    expect(Object.fromEntries(new URLSearchParams(req!.body))).toEqual({ token: creds.accessToken, token_type_hint: 'access_token' });
  });
});

/** The 4XX response's schema (ErrorResponse), which `responseSchema` cannot reach by a numeric status. */
function resolveErrorSchema() {
  const op = findOperation(doc, 'GET', '/api/v10/users/@me')!.op;
  const ref: string = op.responses['4XX'].$ref;
  return doc.components.responses[ref.split('/').pop()!].content['application/json'].schema;
}
