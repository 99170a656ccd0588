/**
 * Swagger 2.0 → the minimal OpenAPI 3 shape describe.ts reads, for descriptions published only as
 * Swagger 2 (Slack's web-api/slack_web_openapi_v2.json). Keeps meaning, changes only the envelope:
 * `host` + `basePath` → `servers`; each parameter's `type`/`enum`/`pattern`/`items` → its `schema`;
 * `in: body` → `requestBody`; each response's `schema` → `content` of the operation's `produces`
 * (default application/json); `definitions` → `components.schemas`, with every `$ref` repointed.
 * Examples and `consumes` are dropped (describe.ts reads neither). `--example name=value` gives a
 * definition an `example` (which validates nothing) where describe.ts cannot build a string for its
 * pattern. Then the usual cut:
 *   npm exec -- node test/contracts/swagger2.ts <swagger.json> <out> '<METHOD path>'... --source "<repo : path @ commit>" [--example name=value]...
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cutOpenApi } from './cut.ts';

type Json = Record<string, any>;

const SCHEMA_KEYS = ['type', 'enum', 'pattern', 'items', 'format', 'minimum', 'maximum', 'minLength', 'maxLength', 'default'];

function repoint(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(repoint);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' ? v.replace('#/definitions/', '#/components/schemas/') : repoint(v)]),
    );
  }
  return value;
}

function convertOperation(op: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(op)) if (!['parameters', 'responses', 'consumes', 'produces'].includes(k)) out[k] = v;
  const params = (op.parameters ?? []) as Json[];
  out.parameters = params
    .filter((p) => p.in !== 'body' && p.in !== 'formData')
    .map((p) => {
      const schema = Object.fromEntries(SCHEMA_KEYS.filter((k) => k in p).map((k) => [k, p[k]]));
      return { name: p.name, in: p.in, ...(p.description ? { description: p.description } : {}), required: Boolean(p.required), schema };
    });
  const body = params.find((p) => p.in === 'body');
  if (body) out.requestBody = { required: Boolean(body.required), content: { 'application/json': { schema: body.schema } } };
  const produces: string[] = op.produces ?? ['application/json'];
  out.responses = Object.fromEntries(
    Object.entries((op.responses ?? {}) as Json).map(([status, r]) => [
      status,
      { description: r.description ?? '', ...(r.schema ? { content: Object.fromEntries(produces.map((m) => [m, { schema: r.schema }])) } : {}) },
    ]),
  );
  return out;
}

export function swagger2ToOpenApi3(doc: Json): Json {
  const paths: Json = {};
  for (const [path, item] of Object.entries((doc.paths ?? {}) as Json)) {
    paths[path] = Object.fromEntries(Object.entries(item as Json).map(([method, op]) => [method, convertOperation(op as Json)]));
  }
  const scheme = (doc.schemes as string[] | undefined)?.[0] ?? 'https';
  return repoint({
    openapi: '3.0.0',
    info: doc.info,
    servers: [{ url: `${scheme}://${doc.host}${doc.basePath ?? ''}` }],
    paths,
    components: { schemas: doc.definitions ?? {}, securitySchemes: doc.securityDefinitions ?? {} },
  }) as Json;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, out, ...rest] = process.argv.slice(2);
  const i = rest.indexOf('--source');
  const source = i >= 0 ? rest[i + 1]! : file!;
  const ops = rest.slice(0, i >= 0 ? i : rest.length).map((s) => {
    const [method, path] = s.split(' ');
    return { method: method!, path: path! };
  });
  const doc = swagger2ToOpenApi3(JSON.parse(readFileSync(file!, 'utf8')) as Json);
  rest.forEach((arg, k) => {
    if (arg !== '--example') return;
    const [name, value] = rest[k + 1]!.split('=');
    doc.components.schemas[name!].example = value;
  });
  writeFileSync(out!, `${JSON.stringify(cutOpenApi(doc, ops, source), null, 1)}\n`);
}
