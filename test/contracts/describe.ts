/**
 * A small request/response checker over the cut descriptions in ./cuts (OpenAPI 3.0/3.1, and
 * Google Discovery converted to the same shape). It covers what the connectors use: path templates,
 * required parameters, enums and patterns, JSON and form bodies, `$ref`, `nullable`/type arrays,
 * `allOf`/`oneOf`/`anyOf`. Formats are ignored.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

type Json = any;
export type Doc = { source: string; paths: Record<string, Record<string, Json>>; components: Json; basePath: string };
export type Recorded = { method: string; url: URL; headers: Headers; body: string };

export function loadOpenApi(file: string): Doc {
  const doc = JSON.parse(readFileSync(fileURLToPath(new URL(`./cuts/${file}`, import.meta.url)), 'utf8'));
  const server = doc.servers?.[0]?.url ?? '';
  return { source: doc['x-source'], paths: doc.paths, components: doc.components ?? {}, basePath: server.startsWith('http') ? new URL(server).pathname.replace(/\/$/, '') : '' };
}

/** Discovery → the same shape: each method becomes an operation (its `request` the JSON body), each schema a component. */
export function loadDiscovery(file: string): Doc {
  const d = JSON.parse(readFileSync(fileURLToPath(new URL(`./cuts/${file}`, import.meta.url)), 'utf8'));
  const fix = (s: Json): Json => (Array.isArray(s) ? s.map(fix) : s && typeof s === 'object' ? Object.fromEntries(Object.entries(s).map(([k, v]) => (k === '$ref' ? [k, `#/components/schemas/${v}`] : [k, fix(v)]))) : s);
  const paths: Doc['paths'] = {};
  for (const r of Object.values<Json>(d.resources)) {
    for (const m of Object.values<Json>(r.methods)) {
      const parameters = Object.entries<Json>(m.parameters ?? {}).map(([name, p]) => ({ name, in: p.location, required: Boolean(p.required), schema: { type: p.type, ...(p.enum ? { enum: p.enum } : {}) } }));
      // A request body is the `request` schema, plus the properties Discovery annotates as
      // required for this method (`annotations.required` lists method ids: Event.start for insert).
      const props = m.request ? (d.schemas[m.request.$ref]?.properties ?? {}) : {};
      const required = Object.keys(props).filter((k) => props[k]?.annotations?.required?.includes(m.id));
      const request = m.request ? (required.length ? { allOf: [fix({ $ref: m.request.$ref }), { required }] } : fix({ $ref: m.request.$ref })) : undefined;
      (paths[`/${m.path}`] ??= {})[m.httpMethod.toLowerCase()] = {
        parameters,
        ...(request ? { requestBody: { required: true, content: { 'application/json': { schema: request } } } } : {}),
        responses: { 200: { content: { 'application/json': { schema: fix(m.response) } } } },
      };
    }
  }
  return { source: d['x-source'], paths, components: { schemas: fix(d.schemas) }, basePath: d.servicePath ? `/${d.servicePath.replace(/\/$/, '')}` : '' };
}

export function resolve(doc: Doc, s: Json): Json {
  while (s && s.$ref) {
    const [, , kind, name] = s.$ref.split('/');
    s = doc.components[kind][name];
  }
  return s;
}

/** Validation problems of `value` against `schema` (empty when valid). */
export function validate(doc: Doc, schema: Json, value: unknown, path = '$'): string[] {
  const s = resolve(doc, schema);
  if (!s || typeof s !== 'object') return [];
  if (value === null && (s.nullable || (Array.isArray(s.type) && s.type.includes('null')))) return [];
  if (s.allOf) return s.allOf.flatMap((x: Json) => validate(doc, x, value, path));
  for (const key of ['oneOf', 'anyOf']) {
    if (s[key] && !s[key].some((x: Json) => validate(doc, x, value, path).length === 0)) return [`${path}: matches none of ${key}`];
  }
  const types: string[] = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  if (types.length && !types.some((t) => isType(t, value))) return [`${path}: expected ${types.join('|')}, got ${value === null ? 'null' : typeof value}`];
  const out: string[] = [];
  if (s.enum && !s.enum.includes(value)) out.push(`${path}: ${JSON.stringify(value)} is not one of the enum`);
  if (typeof value === 'string') {
    if (s.pattern && !new RegExp(s.pattern).test(value)) out.push(`${path}: does not match ${s.pattern}`);
    if (s.minLength !== undefined && value.length < s.minLength) out.push(`${path}: shorter than ${s.minLength}`);
    if (s.maxLength !== undefined && value.length > s.maxLength) out.push(`${path}: longer than ${s.maxLength}`);
  }
  if (Array.isArray(value) && s.items) value.forEach((v, i) => out.push(...validate(doc, s.items, v, `${path}[${i}]`)));
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    for (const r of s.required ?? []) if (!(r in obj)) out.push(`${path}.${r}: required`);
    for (const [k, v] of Object.entries(obj)) {
      if (s.properties?.[k]) out.push(...validate(doc, s.properties[k], v, `${path}.${k}`));
      else if (s.additionalProperties === false) out.push(`${path}.${k}: not allowed`);
      else if (s.additionalProperties && typeof s.additionalProperties === 'object') out.push(...validate(doc, s.additionalProperties, v, `${path}.${k}`));
    }
  }
  return out;
}

function isType(t: string, v: unknown): boolean {
  if (t === 'integer') return Number.isInteger(v);
  if (t === 'number') return typeof v === 'number';
  if (t === 'array') return Array.isArray(v);
  if (t === 'object') return !!v && typeof v === 'object' && !Array.isArray(v);
  if (t === 'null') return v === null;
  return typeof v === t;
}

export type Operation = { template: string; op: Json; params: Record<string, string> };

/** The operation a request hits: its method and path, against the templates (after the server's base path). */
export function findOperation(doc: Doc, method: string, pathname: string): Operation | undefined {
  const path = doc.basePath && pathname.startsWith(doc.basePath) ? pathname.slice(doc.basePath.length) : pathname;
  for (const [template, item] of Object.entries(doc.paths)) {
    const op = item[method.toLowerCase()];
    if (!op) continue;
    const names: string[] = [];
    const re = new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{([\w-]+)\}/g, (_, n) => (names.push(n), '([^/]+)'))}$`);
    const m = re.exec(path);
    if (m) return { template, op: { ...op, parameters: [...(item.parameters ?? []), ...(op.parameters ?? [])] }, params: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)])) };
  }
  return undefined;
}

/** Problems of a recorded request against its operation: unknown operation, parameters, body. */
export function checkRequest(doc: Doc, req: Recorded): string[] {
  const found = findOperation(doc, req.method, req.url.pathname);
  if (!found) return [`${req.method} ${req.url.pathname}: no such operation in the description`];
  const out: string[] = [];
  for (const p0 of found.op.parameters) {
    const p = resolve(doc, p0);
    const raw = p.in === 'path' ? found.params[p.name] : p.in === 'query' ? (req.url.searchParams.get(p.name) ?? undefined) : p.in === 'header' ? (req.headers.get(p.name) ?? undefined) : undefined;
    if (raw === undefined) {
      if (p.required) out.push(`${p.in} parameter ${p.name}: required`);
      continue;
    }
    const schema = resolve(doc, p.schema);
    // style: form, explode: false → a comma-separated list (Asana's opt_fields).
    const value = schema?.type === 'array' ? raw.split(',') : schema?.type === 'integer' || schema?.type === 'number' ? Number(raw) : schema?.type === 'boolean' ? raw === 'true' : raw;
    out.push(...validate(doc, schema, value, `${p.in}.${p.name}`));
  }
  const body = resolve(doc, found.op.requestBody);
  // An optional body that was not sent has no content type to check (Stripe describes one on every GET).
  if (body?.content && (req.body || body.required)) {
    const type = (req.headers.get('content-type') ?? '').split(';')[0]!.trim();
    const media = body.content[type];
    if (!media) out.push(`body: content type '${type}' is not one of ${Object.keys(body.content).join(', ')}`);
    else if (req.body || body.required) {
      const value = type === 'application/x-www-form-urlencoded' ? Object.fromEntries(new URLSearchParams(req.body)) : req.body ? JSON.parse(req.body) : undefined;
      out.push(...validate(doc, media.schema, value, 'body'));
    }
  } else if (req.body && !['GET', 'HEAD'].includes(req.method)) {
    out.push('body: the operation takes none');
  }
  return out;
}

/** The JSON schema of an operation's response for a status (exact, then `default`). */
export function responseSchema(doc: Doc, method: string, pathname: string, status: number): Json {
  const found = findOperation(doc, method, pathname);
  const r = resolve(doc, found?.op.responses?.[status] ?? found?.op.responses?.default);
  const content = r?.content ?? {};
  const media = content['application/json'] ?? Object.values(content)[0];
  return media?.schema;
}

/**
 * Instances the description allows, built to probe a zod schema for being stricter: the minimal
 * one (required properties only, nullable ones null) and the full one (every property).
 */
export function instances(doc: Doc, schema: Json): unknown[] {
  return [example(doc, schema, 'minimal', 0), example(doc, schema, 'full', 0)];
}

function example(doc: Doc, schema: Json, mode: 'minimal' | 'full', depth: number): unknown {
  const s = resolve(doc, schema);
  if (!s || depth > 6) return null;
  if (s.nullable && mode === 'minimal') return null;
  if (s.allOf) return Object.assign({}, ...s.allOf.map((x: Json) => example(doc, x, mode, depth + 1)));
  if (s.oneOf || s.anyOf) return example(doc, (s.oneOf ?? s.anyOf)[0], mode, depth + 1);
  const type = Array.isArray(s.type) ? (mode === 'minimal' && s.type.includes('null') ? 'null' : s.type.find((t: string) => t !== 'null')) : (s.type ?? (s.properties ? 'object' : undefined));
  if (s.enum) return s.enum[0];
  switch (type) {
    case 'null':
      return null;
    case 'object': {
      const keys = mode === 'minimal' ? (s.required ?? []) : Object.keys(s.properties ?? {});
      return Object.fromEntries(keys.map((k: string) => [k, example(doc, s.properties?.[k], mode, depth + 1)]));
    }
    case 'array':
      return mode === 'minimal' ? [] : [example(doc, s.items, mode, depth + 1)];
    case 'integer':
      return 1;
    case 'number':
      return 1.5;
    case 'boolean':
      return true;
    case 'string':
      return s.example && typeof s.example === 'string' ? s.example : s.pattern ? fromPattern(s.pattern) : 'x';
    default:
      return mode === 'minimal' ? null : {};
  }
}

/** A string matching a simple `^PREFIX[class]{n}$` pattern (Twilio's SIDs); others are not needed. */
function fromPattern(pattern: string): string {
  const m = /^\^([A-Za-z]*)\[([^\]]+)\]\{(\d+)\}\$$/.exec(pattern);
  if (!m) throw new Error(`no example for pattern ${pattern}: add an example to the cut`);
  return m[1]! + m[2]![0]!.repeat(Number(m[3]));
}
