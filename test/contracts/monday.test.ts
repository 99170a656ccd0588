import { readFileSync } from 'node:fs';
import { buildSchema, parse, validate, type GraphQLObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { monday } from '../../src/providers/monday/index.ts';
import { ME_QUERY, meResponseSchema } from '../../src/providers/monday/connector.ts';
import { MONDAY_API_VERSION } from '../../src/providers/monday/definition.ts';
import { meAnswer } from '../providers/fixtures/monday.ts';
import { testContext } from '../providers/helpers.ts';
import { exercise } from './harness.ts';

const sdl = readFileSync(new URL('./cuts/monday.graphql', import.meta.url), 'utf8');
const schema = buildSchema(sdl);
const creds = { type: 'api_key' as const, fields: { apiToken: 'eyJhbGciOiJIUzI1NiJ9.eyJ0aWQiOjF9.c2ln' } };

describe('monday.com against its GraphQL schema (get_schema, version 2026-10)', () => {
  it('names its source, fetched for the pinned API version', () => {
    expect(sdl.split('\n')[0]).toContain('mondaycom/mcp : packages/agent-toolkit/src/monday-graphql/schema.graphql');
    expect(sdl.split('\n')[0]).toContain(`version=${MONDAY_API_VERSION}`);
  });

  it('the connector sends exactly the me query, and it is a valid document for the schema', async () => {
    const reqs = await exercise('https://api.monday.com', [{ method: 'POST', path: '/v2', status: 200, body: meAnswer }], () => monday.connector.test(testContext({ provider: monday, credentials: creds })));
    expect(reqs).toHaveLength(1);
    expect(JSON.parse(reqs[0]!.body)).toEqual({ query: ME_QUERY });
    expect(reqs[0]!.headers.get('api-version')).toBe(MONDAY_API_VERSION);
    expect(validate(schema, parse(ME_QUERY)).map((e) => e.message)).toEqual([]);
  });

  it('the check can fail: a field the schema lacks is refused', () => {
    expect(validate(schema, parse('query { me { id handle } }')).map((e) => e.message)).toEqual(['Cannot query field "handle" on type "User".']);
  });

  it('the response schema accepts every value the schema allows for the fields read', () => {
    const user = (schema.getType('User') as GraphQLObjectType).getFields();
    const account = (schema.getType('Account') as GraphQLObjectType).getFields();
    expect(['id', 'name', 'email', 'account'].map((f) => String(user[f]!.type))).toEqual(['ID!', 'String!', 'String!', 'Account!']);
    expect(['id', 'name', 'slug'].map((f) => String(account[f]!.type))).toEqual(['ID!', 'String!', 'String!']);
    // `me` itself is nullable at the root (`me: User`); the zod schema is looser still, never stricter.
    expect(String(schema.getQueryType()!.getFields().me!.type)).toBe('User');
    expect(meResponseSchema.safeParse(meAnswer).success).toBe(true);
    expect(meResponseSchema.safeParse({ data: { me: null } }).success).toBe(true);
  });
});
