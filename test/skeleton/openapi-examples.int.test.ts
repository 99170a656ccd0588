/**
 * The reference shows what Patchbay really sends: every error response carries an example per
 * code with the status src/errors.ts maps it to, and every request and response field has a
 * real example value (no Swagger `"string"` placeholders).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES, type ErrorCode } from '../../src/errors.ts';
import { listProviders } from '../../src/providers/registry.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';

type Schema = Record<string, any>;
type MediaType = { schema?: Schema; example?: unknown; examples?: Record<string, { value: any }> };
type Operation = {
  operationId: string;
  parameters?: Array<{ name: string; in: string; example?: unknown; schema?: Schema }>;
  requestBody?: { required?: boolean; content: Record<string, MediaType> };
  responses: Record<string, { content?: Record<string, MediaType> }>;
};
type Doc = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };

let app: TestApp;
let doc: Doc;
const operations: Array<{ where: string; op: Operation }> = [];
beforeAll(async () => {
  app = await startTestApp();
  const res = await app.fetch('/api/v1/openapi.json', { token: null });
  expect(res.status).toBe(200);
  doc = (await res.json()) as Doc;
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) operations.push({ where: `${method.toUpperCase()} ${path}`, op });
  }
});
afterAll(async () => {
  await app?.close();
});

const resolve = (s: Schema): Schema => (typeof s.$ref === 'string' ? doc.components.schemas[s.$ref.split('/').at(-1)!]! : s);
const hasExample = (s: Schema) => 'example' in s || 'examples' in s || 'default' in s || 'const' in s || 'enum' in s;

/** Paths of leaf fields (string, number, integer) that would show Swagger's placeholder. */
function placeholders(schema: Schema, path: string, seen = new Set<Schema>()): string[] {
  const s = resolve(schema);
  if (seen.has(s)) return [];
  seen.add(s);
  if (hasExample(s)) return [];
  const out: string[] = [];
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) for (const [i, sub] of (s[key] ?? []).entries()) out.push(...placeholders(sub, `${path}<${i}>`, seen));
  if (s.properties) for (const [k, v] of Object.entries(s.properties as Record<string, Schema>)) out.push(...placeholders(v, `${path}.${k}`, seen));
  if (s.items) out.push(...placeholders(s.items, `${path}[]`, seen));
  const types = ([] as string[]).concat(s.type ?? []);
  if (types.some((t) => ['string', 'number', 'integer'].includes(t))) out.push(path);
  return out;
}

/** Every example value anywhere in the document, with where it is. */
function exampleValues(node: unknown, path: string, out: Array<{ path: string; value: unknown }> = []) {
  if (!node || typeof node !== 'object') return out;
  for (const [k, v] of Object.entries(node)) {
    if (k === 'example') out.push({ path, value: v });
    else if (k === 'examples' && v && typeof v === 'object') {
      for (const e of Object.values(v)) out.push({ path, value: (e as { value?: unknown })?.value ?? e });
    }
    exampleValues(v, `${path}.${k}`, out);
  }
  return out;
}

// A JSON Schema document shown as an example value (the webhook event catalog's `schema`) says
// `"type": "string"` by right: it is content, not a placeholder, so it is not searched.
const isJsonSchema = (v: object) => !Array.isArray(v) && typeof (v as { $schema?: unknown }).$schema === 'string';
const leaves = (v: unknown, key = ''): Array<[string, unknown]> =>
  v && typeof v === 'object'
    ? isJsonSchema(v)
      ? []
      : Object.entries(v).flatMap(([k, x]) => leaves(x, Array.isArray(v) ? key : k))
    : [[key, v]];

describe('OpenAPI error responses', () => {
  it('give every error response an example per code, and each code is one its status maps to', () => {
    const wrong: string[] = [];
    let checked = 0;
    for (const { where, op } of operations) {
      for (const [status, resp] of Object.entries(op.responses)) {
        if (Number(status) < 400) continue;
        const media = resp.content?.['application/json'];
        const examples = Object.values(media?.examples ?? {});
        if (!examples.length) wrong.push(`${where} ${status}: no examples`);
        for (const { value } of examples) {
          checked++;
          const code = value?.error?.code as ErrorCode;
          if (ERROR_CODES[code]?.status !== Number(status)) wrong.push(`${where} ${status}: ${code}`);
          expect(typeof value.error.message).toBe('string');
          expect(value.error.message).not.toBe('string');
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(operations.length * 3);
  });

  it('shows unauthenticated for 401 and forbidden for 403, never validation_failed', () => {
    for (const { where, op } of operations) {
      const codes = (s: string) => Object.values(op.responses[s]?.content?.['application/json']?.examples ?? {}).map((e) => e.value.error.code);
      if (op.responses['401']) expect(codes('401'), where).toEqual(['unauthenticated']);
      if (op.responses['403']) expect(codes('403'), where).toEqual(['forbidden']);
      if (op.responses['404']) expect(codes('404'), where).toEqual(['not_found']);
    }
    const pause = doc.paths['/api/v1/connections/{id}/pause']!.post!;
    const conflictCodes = Object.keys(pause.responses['409']!.content!['application/json']!.examples!);
    expect(conflictCodes).toEqual(['invalid_transition']);
    // A provider call can be rate limited, fail, or be refused: connecting documents each.
    const create = doc.paths['/api/v1/connections']!.post!;
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '403', '404', '409', '413', '415', '422', '429', '502', '503']));
  });

  it('shows validation_failed with a realistic details array of { location, path, message }', () => {
    for (const { where, op } of operations) {
      const example = op.responses['400']?.content?.['application/json']?.examples?.validation_failed?.value;
      expect(example, where).toBeDefined();
      expect(example.error.details, where).toEqual(
        expect.arrayContaining([expect.objectContaining({ location: expect.stringMatching(/^(params|query|body)$/), path: expect.any(String), message: expect.any(String) })]),
      );
      expect(example.error.details.every((d: { message: string }) => d.message !== 'string')).toBe(true);
    }
    const create = doc.paths['/api/v1/connections']!.post!.responses['400']!.content!['application/json']!.examples!.validation_failed!.value;
    expect(create.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ location: 'body', path: 'provider' })]));
  });
});

describe('OpenAPI example values', () => {
  it('has no "string" placeholder example anywhere', () => {
    const placeholder = exampleValues(doc, '$').flatMap(({ path, value }) => leaves(value).filter(([, v]) => v === 'string').map(([k]) => `${path} ${k}`));
    expect(placeholder).toEqual([]);
  });

  it('gives every request and response field a real example, so Swagger shows no placeholders', () => {
    const missing: string[] = [];
    for (const { where, op } of operations) {
      for (const p of op.parameters ?? []) if (!('example' in p) && !hasExample(resolve(p.schema ?? {}))) missing.push(`${where} ${p.in}.${p.name}`);
      const body = op.requestBody?.content['application/json']?.schema;
      if (body) missing.push(...placeholders(body, `${where} body`));
      for (const [status, resp] of Object.entries(op.responses)) {
        const schema = resp.content?.['application/json']?.schema;
        if (schema && Number(status) < 400) missing.push(...placeholders(schema, `${where} ${status}`));
      }
    }
    expect(missing).toEqual([]);
  });

  it('uses real provider slugs wherever a provider is shown', () => {
    const slugs = new Set(listProviders().map((p) => p.definition.slug));
    const shown = exampleValues(doc, '$').flatMap(({ value }) => leaves(value).filter(([k]) => k === 'provider').map(([, v]) => v));
    expect(shown.length).toBeGreaterThan(3);
    for (const v of shown) expect(slugs.has(String(v)), String(v)).toBe(true);
    const create = doc.paths['/api/v1/connections']!.post!.requestBody!.content['application/json']!.schema!;
    expect(resolve(create).properties.provider.example).toBe('linear');
  });
});

describe('OpenAPI request bodies', () => {
  it('marks a body required only where the route refuses a request without one', () => {
    const body = (path: string, method: string) => doc.paths[path]![method]!.requestBody!;
    expect(body('/api/v1/connections/{id}/pause', 'post').required).toBe(false);
    expect(body('/api/v1/connections', 'post').required).toBe(true);
    expect(body('/api/v1/connections/{id}', 'patch').required).toBe(true);
  });

  it('and pause really works without a body', async () => {
    // The route itself: 404 for an unknown id means the empty body passed validation.
    const res = await app.fetch('/api/v1/connections/6f1c1a43-1111-4111-8111-111111111111/pause', { method: 'POST' });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });
});
