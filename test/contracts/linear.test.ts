import { readFileSync } from 'node:fs';
import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { VIEWER_QUERY, viewerResponseSchema } from '../../src/providers/linear/connector.ts';

const sdl = readFileSync(new URL('./cuts/linear.graphql', import.meta.url), 'utf8');
const schema = buildSchema(sdl);

describe('Linear against its GraphQL SDL', () => {
  it('names its source', () => expect(sdl.split('\n')[0]).toContain('linear/linear : packages/sdk/src/schema.graphql'));

  it('the viewer query is a valid document for the schema', () => {
    expect(validate(schema, parse(VIEWER_QUERY)).map((e) => e.message)).toEqual([]);
  });

  it('the check can fail: a field the schema lacks is refused', () => {
    expect(validate(schema, parse('query { viewer { id handle } }')).map((e) => e.message)).toEqual(['Cannot query field "handle" on type "User".']);
  });

  it('the response schema accepts every value the SDL allows for the fields read', () => {
    const user = schema.getType('User') as import('graphql').GraphQLObjectType;
    const fields = user.getFields();
    // id, name and email are non-null in the SDL; the zod schema may be looser, never stricter.
    expect(['id', 'name', 'email'].map((f) => String(fields[f]!.type))).toEqual(['ID!', 'String!', 'String!']);
    expect(viewerResponseSchema.safeParse({ data: { viewer: { id: 'u', name: 'n', email: 'e' } } }).success).toBe(true);
  });
});
