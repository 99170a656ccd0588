/**
 * Reproduces the cuts in test/contracts/cuts/ from the providers' full descriptions:
 *   npm exec -- node test/contracts/cut.ts <full description> <out> '<METHOD path>'... [--source "<repo : path @ commit|date>"] [--stub a,b]
 * Keeps the named operations and every component they reference (transitively); nothing else.
 * `--stub` keeps the named components as empty schemas (any value) without following their
 * references: for descriptions whose expandable objects reach the whole API (Stripe's `account`
 * reaches `customer`, every payment object, and back), where the connector reads none of them.
 * Not a test; run by hand when a provider publishes a new description.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'yaml';

type Json = Record<string, unknown>;

function refsIn(value: unknown, out: Set<string>): void {
  if (Array.isArray(value)) for (const v of value) refsIn(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.add(v);
      else refsIn(v, out);
    }
  }
}

export function cutOpenApi(doc: Json, ops: Array<{ method: string; path: string }>, source: string, stubs: string[] = []): Json {
  const paths: Record<string, Json> = {};
  const pending = new Set<string>();
  for (const { method, path } of ops) {
    const item = (doc.paths as Record<string, Json>)[path];
    const op = item?.[method.toLowerCase()];
    if (!op) throw new Error(`${method} ${path} is not in the description`);
    paths[path] ??= item.parameters ? { parameters: item.parameters } : {};
    paths[path]![method.toLowerCase()] = op;
  }
  refsIn(paths, pending);
  const components: Record<string, Record<string, unknown>> = {};
  const done = new Set<string>();
  while (pending.size) {
    const ref = [...pending][0]!;
    pending.delete(ref);
    if (done.has(ref)) continue;
    done.add(ref);
    const [, , kind, name] = ref.split('/');
    const value = ((doc.components as Json)[kind!] as Json)[name!];
    if (stubs.includes(name!)) {
      (components[kind!] ??= {})[name!] = { description: `Stubbed in this cut (${name}): any value; see the full description.` };
      continue;
    }
    (components[kind!] ??= {})[name!] = value;
    refsIn(value, pending);
  }
  const schemes = (doc.components as Json).securitySchemes;
  if (schemes) components.securitySchemes = schemes as Json;
  const info = doc.info as Json;
  return { 'x-source': source, openapi: doc.openapi, info: { title: info.title, version: info.version }, servers: doc.servers, paths, components };
}

if (import.meta.url === `file://${process.argv[1]}` && !process.argv[2]?.endsWith(".graphql")) {
  const [file, out, ...rest] = process.argv.slice(2);
  const i = rest.indexOf('--source');
  const source = i >= 0 ? rest[i + 1]! : file!;
  const j = rest.indexOf('--stub');
  const stubs = j >= 0 ? rest[j + 1]!.split(',') : [];
  const first = Math.min(...[i, j, rest.length].filter((n) => n >= 0));
  const ops = rest.slice(0, first).map((s) => {
    const [method, path] = s.split(' ');
    return { method: method!, path: path! };
  });
  const text = readFileSync(file!, 'utf8');
  const doc = (file!.endsWith('.json') ? JSON.parse(text) : parse(text, { maxAliasCount: -1 })) as Json;
  writeFileSync(out!, `${JSON.stringify(cutOpenApi(doc, ops, source, stubs), null, 1)}\n`);
}

/**
 * The SDL cut for Linear: the `Query` fields named, and each type they return with its scalar and
 * enum fields only (object-typed fields are dropped, so the cut stays small and self-contained).
 */
export async function cutGraphqlSdl(sdl: string, queryFields: string[], source: string): Promise<string> {
  const { buildSchema, getNamedType, isEnumType, isObjectType, isScalarType, printType } = await import('graphql');
  const schema = buildSchema(sdl, { assumeValidSDL: true });
  const query = schema.getQueryType()!;
  const lines: string[] = [`# ${source}`, '# Cut: the Query fields Patchbay uses and the scalar/enum fields of the types they return.', ''];
  const types = new Map<string, string>();
  const keep: string[] = [];
  for (const name of queryFields) {
    const field = query.getFields()[name]!;
    keep.push(`  ${name}: ${String(field.type)}`);
    const t = getNamedType(field.type);
    if (!isObjectType(t)) continue;
    const fields = Object.values(t.getFields()).filter((f) => {
      const n = getNamedType(f.type);
      if (isEnumType(n) && !types.has(n.name)) types.set(n.name, printType(n));
      return (isScalarType(n) || isEnumType(n)) && f.args.length === 0;
    });
    types.set(t.name, `type ${t.name} {\n${fields.map((f) => `  ${f.name}: ${String(f.type)}`).join('\n')}\n}`);
  }
  lines.push('scalar DateTime', 'scalar JSON', 'scalar JSONObject', 'scalar TimelessDate', 'scalar Duration', '');
  lines.push(`type Query {\n${keep.join('\n')}\n}`, '', ...[...types.values()].flatMap((t) => [t, '']));
  return lines.join('\n');
}
