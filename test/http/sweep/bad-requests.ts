/**
 * Bad requests for one OpenAPI operation: a fixed list of the classes issue 9 found (always run)
 * and fast-check arbitraries for the rest. Each request changes exactly one part of an otherwise
 * harmless baseline, and every change is invalid for sure, so no handler should ever run.
 */
import fc from 'fast-check';

type Schema = {
  type?: string;
  format?: string;
  enum?: string[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: Schema | boolean;
};
type Parameter = { name: string; in: 'path' | 'query'; schema: Schema };
export type Operation = {
  method: string;
  path: string;
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { content: { 'application/json': { schema: Schema } } };
};

export type BadRequest = {
  label: string;
  method: string;
  /** Raw, already percent-encoded. */
  path: string;
  /** Raw query string without `?`. */
  query?: string;
  body?: string | Uint8Array;
  headers?: Record<string, string>;
  /** Must bypass nock (it decodes Content-Encoding on the client side). */
  socket?: boolean;
};

const UUID = '6f1c2b0e-4a7d-4c59-9a53-0d7b9f0e2c11';
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

export const BAD_PATH_SEGMENTS = ['%ZZ', '%C0%AF', '%00', '%E0%A4%A', '%', '%ED%A0%80', '%FF', 'a%00b'];
export const FORGED_CURSORS = [
  b64({ t: '2024-01-01T00:00:00.000Z', id: 'not-a-uuid' }),
  b64({ t: '+275760-09-13T00:00:00.000Z', id: UUID }),
  b64({ t: '-271821-04-20T00:00:00.000Z', id: UUID }),
  b64({ t: '2024-01-01T00:00:00.000Z', id: 7 }),
  b64([1, 2]),
  'not-a-cursor',
];
export const FORGED_ID_CURSORS = ['99999999999999999999', '1e400', '-1', '0', '1.5', 'abc', '0x10ZZ'];
const BAD_TEXT = ['\u0000', '\ud800', '\udfff', 'a\u0000b'];

/** A field of a body schema: a path of property names, and `record` when it is a free-form key. */
type Field = { path: string[]; schema: Schema };

function fieldsOf(schema: Schema, path: string[] = []): Field[] {
  const own = Object.entries(schema.properties ?? {}).flatMap(([k, s]) => [{ path: [...path, k], schema: s }, ...fieldsOf(s, [...path, k])]);
  const rec = typeof schema.additionalProperties === 'object' ? [{ path: [...path, 'apiKey'], schema: schema.additionalProperties }] : [];
  return [...own, ...rec];
}

function validValue(s: Schema): unknown {
  if (s.enum) return s.enum[0];
  if (s.type === 'boolean') return true;
  if (s.type === 'integer' || s.type === 'number') return s.minimum ?? 1;
  if (s.type === 'object') return baselineBody(s);
  if (s.format === 'uuid') return UUID;
  if (s.format === 'uri') return 'https://example.test';
  return 'x'.repeat(Math.max(1, s.minLength ?? 1));
}

/** Required properties only, each valid: the part every body mutation starts from. */
function baselineBody(s: Schema): Record<string, unknown> {
  return Object.fromEntries((s.required ?? []).map((k) => [k, validValue(s.properties![k]!)]));
}

function setAt(obj: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(obj);
  let cur = copy;
  for (const k of path.slice(0, -1)) cur = (cur[k] ??= {}) as Record<string, unknown>;
  cur[path.at(-1)!] = value;
  return copy;
}

/** JSON text with the value at `path` replaced by raw JSON text (deep nesting, prototype keys). */
function withRaw(base: Record<string, unknown>, path: string[], rawJson: string): string {
  return JSON.stringify(setAt(base, path, '\u0001SLOT\u0001')).replace('"\\u0001SLOT\\u0001"', rawJson);
}

const isType = (v: unknown, s: Schema) =>
  s.type === 'string' ? typeof v === 'string' : s.type === 'boolean' ? typeof v === 'boolean' : s.type === 'object' ? !!v && typeof v === 'object' && !Array.isArray(v) : typeof v === 'number';

/** Values that a field's schema refuses for certain. */
function invalidFor(s: Schema): fc.Arbitrary<unknown> {
  const wrongType = fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }), fc.string(), fc.dictionary(fc.string(), fc.integer(), { maxKeys: 2 })).filter((v) => !isType(v, s));
  const options: fc.Arbitrary<unknown>[] = [wrongType, fc.tuple(fc.string(), fc.constantFrom(...BAD_TEXT), fc.string()).map((p) => p.join(''))];
  if (s.type !== 'string') return fc.oneof(...options);
  if (s.maxLength) options.push(fc.integer({ min: 1, max: 20_000 }).map((n) => 'y'.repeat(s.maxLength! + n)));
  if (s.minLength) options.push(fc.constant(''));
  if (s.enum) options.push(fc.string().filter((v) => !s.enum!.includes(v)));
  if (s.format === 'uuid') options.push(fc.string().filter((v) => !UUID_RE.test(v)));
  if (s.format === 'uri') options.push(fc.constantFrom('', 'not a url', '://'));
  return fc.oneof(...options);
}

export function describeOperation(op: Operation) {
  const params = (op.parameters ?? []).filter((p) => p.in === 'path');
  const queryParams = (op.parameters ?? []).filter((p) => p.in === 'query');
  const bodySchema = op.requestBody?.content['application/json'].schema;
  const base = bodySchema ? baselineBody(bodySchema) : {};
  const baseParams = Object.fromEntries(params.map((p) => [p.name, p.schema.format === 'uuid' ? UUID : 'linear']));
  const pathWith = (over: Record<string, string> = {}) => op.path.replace(/\{(\w+)\}/g, (_m, n: string) => over[n] ?? baseParams[n]!);
  const json = { 'content-type': 'application/json' };
  const req = (label: string, r: Partial<BadRequest>): BadRequest => ({ label, method: op.method.toUpperCase(), path: pathWith(), ...r });
  const withBody = (label: string, body: string | Uint8Array, headers: Record<string, string> = json, socket = false) => req(label, { body, headers, socket });
  const fields = bodySchema ? fieldsOf(bodySchema) : [];
  const stringFields = fields.filter((f) => f.schema.type === 'string');
  const takesBody = op.method !== 'get';
  const plain = JSON.stringify(bodySchema ? base : { note: 'ignored' });

  // The classes that failed in issue 9, always sent.
  const fixed: BadRequest[] = [
    ...params.flatMap((p) => BAD_PATH_SEGMENTS.slice(0, 3).map((seg) => req(`param ${p.name}=${seg}`, { path: pathWith({ [p.name]: seg }) }))),
    ...queryParams.map((q) => req(`query ${q.name} with NUL`, { query: `${q.name}=a%00b` })),
    req('unknown query parameter with NUL', { query: 'x=%00' }),
    ...queryParams
      .filter((q) => q.name === 'cursor')
      .flatMap((q) => (q.schema.type === 'integer' ? FORGED_ID_CURSORS : FORGED_CURSORS).map((c) => req(`cursor ${c}`, { query: `cursor=${c}` }))),
    ...stringFields.flatMap((f) => BAD_TEXT.slice(0, 2).map((t) => withBody(`body ${f.path.join('.')} = ${JSON.stringify(t)}`, JSON.stringify(setAt(base, f.path, t))))),
    ...(takesBody ? ['gzip', 'br'].map((enc) => withBody(`plain body labelled ${enc}`, plain, { ...json, 'content-encoding': enc }, true)) : []),
    ...(takesBody && !bodySchema ? [withBody('NUL in an ignored body', JSON.stringify({ note: '\u0000' }))] : []),
    ...(bodySchema ? [withBody('body over 1 MB', JSON.stringify({ ...base, pad: 'z'.repeat(1_100_000) }))] : []),
  ];

  const arbs: fc.Arbitrary<BadRequest>[] = [];
  if (params.length) {
    const p = fc.constantFrom(...params);
    // No hex digits around the bad part, so "%" + "41" can never decode to a valid value.
    const seg = fc.tuple(fc.stringMatching(/^[g-zG-Z_-]{0,8}$/), fc.constantFrom(...BAD_PATH_SEGMENTS), fc.stringMatching(/^[g-zG-Z_-]{0,8}$/)).map((s) => s.join(''));
    arbs.push(fc.tuple(p, seg).map(([q, s]) => req(`param ${q.name}=${s}`, { path: pathWith({ [q.name]: s }) })));
    const uuidParams = params.filter((q) => q.schema.format === 'uuid');
    if (uuidParams.length) {
      const notUuid = fc.stringMatching(/^[A-Za-z0-9_-]{1,60}$/).filter((v) => !UUID_RE.test(v));
      arbs.push(fc.tuple(fc.constantFrom(...uuidParams), notUuid).map(([q, s]) => req(`param ${q.name}=${s}`, { path: pathWith({ [q.name]: s }) })));
    }
    const long = params.filter((q) => q.schema.maxLength);
    if (long.length) arbs.push(fc.tuple(fc.constantFrom(...long), fc.integer({ min: 1, max: 2000 })).map(([q, n]) => req(`param ${q.name} too long`, { path: pathWith({ [q.name]: 's'.repeat(q.schema.maxLength! + n) }) })));
  }
  const nul = fc.tuple(fc.string(), fc.string()).map(([a, b]) => encodeURIComponent(a) + '%00' + encodeURIComponent(b));
  arbs.push(fc.tuple(fc.stringMatching(/^[a-z]{1,12}$/), nul).map(([k, v]) => req(`query ${k} with NUL`, { query: `${k}=${v}` })));
  for (const q of queryParams) {
    const s = q.schema;
    const values: fc.Arbitrary<string>[] = [nul];
    if (s.maxLength) values.push(fc.integer({ min: 1, max: 5000 }).map((n) => 'q'.repeat(s.maxLength! + n)));
    if (s.enum) values.push(fc.string({ minLength: 1 }).filter((v) => !s.enum!.includes(v)).map(encodeURIComponent));
    if (s.type === 'integer') values.push(fc.oneof(fc.constantFrom('abc', '1.5', '-5', '0', '1e400', 'NaN', 'Infinity', '%20'), fc.bigInt({ min: 2n ** 53n, max: 2n ** 70n }).map(String)));
    if (q.name === 'cursor') values.push(fc.constantFrom(...(s.type === 'integer' ? FORGED_ID_CURSORS : FORGED_CURSORS)));
    arbs.push(fc.oneof(...values).map((v) => req(`query ${q.name}=${v.slice(0, 60)}`, { query: `${q.name}=${v}` })));
    // The same parameter twice: an array where one value is expected.
    arbs.push(fc.constant(req(`query ${q.name} repeated`, { query: `${q.name}=a&${q.name}=b` })));
  }
  if (takesBody) {
    const encodings = fc.constantFrom('gzip', 'br', 'deflate', 'compress', 'gzip, br', 'x-zip');
    arbs.push(encodings.map((enc) => withBody(`plain body labelled ${enc}`, plain, { ...json, 'content-encoding': enc }, true)));
    arbs.push(fc.constantFrom('latin1', 'utf-99', 'ascii', 'koi8-r').map((cs) => withBody(`charset ${cs}`, plain, { 'content-type': `application/json; charset=${cs}` })));
    arbs.push(fc.integer({ min: 1, max: plain.length - 1 }).map((k) => withBody(`truncated JSON at ${k}`, plain.slice(0, k))));
    arbs.push(fc.integer({ min: 33, max: 5000 }).map((d) => withBody(`nesting ${d} deep`, `{"note":${'['.repeat(d)}${']'.repeat(d)}}`)));
    arbs.push(fc.tuple(fc.constantFrom('__proto__', 'constructor', 'prototype'), fc.jsonValue({ maxDepth: 2 })).map(([k, v]) => withBody(`prototype key ${k}`, `{${JSON.stringify(k)}:${JSON.stringify(v)},"note":1}`)));
  }
  if (bodySchema) {
    arbs.push(fc.oneof(fc.integer(), fc.string(), fc.boolean(), fc.constant(null), fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 })).map((v) => withBody(`body is ${JSON.stringify(v)?.slice(0, 40)}`, JSON.stringify(v))));
    if (fields.length) {
      const field = fc.constantFrom(...fields);
      arbs.push(field.chain((f) => invalidFor(f.schema).map((v) => withBody(`body ${f.path.join('.')} = ${JSON.stringify(v)?.slice(0, 60)}`, JSON.stringify(setAt(base, f.path, v))))));
      arbs.push(fc.tuple(field, fc.integer({ min: 33, max: 3000 })).map(([f, d]) => withBody(`body ${f.path.join('.')} nested ${d} deep`, withRaw(base, f.path, `${'{"a":'.repeat(d)}1${'}'.repeat(d)}`))));
      const objects = fields.filter((f) => f.schema.type === 'object');
      if (objects.length) arbs.push(fc.tuple(fc.constantFrom(...objects), fc.constantFrom('__proto__', 'constructor', 'prototype')).map(([f, k]) => withBody(`body ${f.path.join('.')} has key ${k}`, withRaw(base, f.path, `{${JSON.stringify(k)}:"x"}`))));
      const recordKeys = fields.filter((f) => f.path.at(-1) === 'apiKey');
      if (recordKeys.length) arbs.push(fc.tuple(fc.constantFrom(...recordKeys), fc.constantFrom(...BAD_TEXT)).map(([f, t]) => withBody(`body ${f.path.slice(0, -1).join('.')} key with ${JSON.stringify(t)}`, JSON.stringify(setAt(base, [...f.path.slice(0, -1), `k${t}`], 'v')))));
    }
    if (bodySchema.additionalProperties === false) {
      const known = Object.keys(bodySchema.properties ?? {});
      arbs.push(fc.string({ maxLength: 20 }).filter((k) => !known.includes(k)).map((k) => withBody(`unknown key ${JSON.stringify(k)}`, JSON.stringify({ ...base, [k]: 1 }))));
    }
  }
  return { fixed, arbitrary: fc.oneof(...arbs) };
}
