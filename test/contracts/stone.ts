/**
 * A minimal reader of Dropbox's Stone IDL (dropbox/dropbox-api-spec), enough to cut the routes a
 * connector uses into a machine-checkable JSON (test/contracts/cuts/dropbox.stone.json):
 *   npm exec -- node test/contracts/stone.ts <spec checkout or git dir> <out> <namespace/route>... [--source "<repo @ commit>"]
 * Reads `route name (Arg, Result, Error)` with its `attrs` (host, style, auth, scope), and the
 * structs those routes name, with their fields (an optional `?` type, or one with a default, is not
 * required) and those of the structs they extend, resolved across namespaces. Unions are kept as
 * their tag names. Not a test; run by hand when Dropbox publishes a new spec.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export type StoneField = { name: string; type: string; required: boolean };
export type StoneStruct = { namespace: string; name: string; extends?: string; fields: StoneField[] };
export type StoneRoute = { namespace: string; name: string; arg: string; result: string; error: string; attrs: Record<string, string> };
export type StoneNamespace = { name: string; imports: string[]; routes: StoneRoute[]; structs: Map<string, StoneStruct>; unions: Map<string, string[]> };

/** Stone's route attribute defaults (stone_cfg.stone, struct Route). */
export const ROUTE_DEFAULTS = { host: 'api', style: 'rpc', auth: 'user' } as const;

export function parseStone(text: string): StoneNamespace {
  const ns: StoneNamespace = { name: '', imports: [], routes: [], structs: new Map(), unions: new Map() };
  let block: { kind: 'route'; route: StoneRoute } | { kind: 'struct'; struct: StoneStruct } | { kind: 'union'; tags: string[] } | null = null;
  let sub: 'attrs' | 'example' | null = null;
  // Inside a multi-line documentation string (its lines may sit at any indent).
  let inDoc = false;
  const quotes = (l: string) => (l.replace(/\\"/g, '').match(/"/g) ?? []).length;
  for (const line of text.split('\n')) {
    if (inDoc) {
      if (quotes(line) % 2) inDoc = false;
      continue;
    }
    if (/^\s+"/.test(line)) {
      inDoc = quotes(line) % 2 === 1;
      continue;
    }
    if (/^\S/.test(line)) {
      sub = null;
      block = null;
      let m: RegExpExecArray | null;
      if ((m = /^namespace (\w+)/.exec(line))) ns.name = m[1]!;
      else if ((m = /^import (\w+)/.exec(line))) ns.imports.push(m[1]!);
      else if ((m = /^route ([\w/]+) \(([^,]+), ([^,]+), ([^)]+)\)/.exec(line))) {
        const route = { namespace: ns.name, name: m[1]!, arg: m[2]!.trim(), result: m[3]!.trim(), error: m[4]!.trim(), attrs: { ...ROUTE_DEFAULTS } as Record<string, string> };
        ns.routes.push(route);
        block = { kind: 'route', route };
      } else if ((m = /^struct (\w+)(?: extends ([\w.]+))?/.exec(line))) {
        const struct: StoneStruct = { namespace: ns.name, name: m[1]!, ...(m[2] ? { extends: m[2] } : {}), fields: [] };
        ns.structs.set(struct.name, struct);
        block = { kind: 'struct', struct };
      } else if ((m = /^union(?:_closed)? (\w+)/.exec(line))) {
        const tags: string[] = [];
        ns.unions.set(m[1]!, tags);
        block = { kind: 'union', tags };
      }
      continue;
    }
    const four = /^ {4}(\S.*)$/.exec(line);
    if (four) {
      const content = four[1]!;
      if (content === 'attrs' || content.startsWith('example ')) {
        sub = content === 'attrs' ? 'attrs' : 'example';
        continue;
      }
      sub = null;
      const f = /^([a-z_][a-z0-9_]*)(?: (\S.*?))?(?: = (.+))?$/.exec(content);
      if (!f) continue;
      if (block?.kind === 'struct' && f[2]) block.struct.fields.push({ name: f[1]!, type: f[2].replace(/\?$/, ''), required: !f[2].endsWith('?') && f[3] === undefined });
      else if (block?.kind === 'union') block.tags.push(f[1]!);
      continue;
    }
    const eight = /^ {8}(\w+) = "?([^"]*)"?$/.exec(line);
    if (eight && sub === 'attrs' && block?.kind === 'route') block.route.attrs[eight[1]!] = eight[2]!;
  }
  return ns;
}

export type StoneCut = {
  source: string;
  routes: Record<string, { host: string; style: string; auth: string; scope: string | null; arg: string; result: string }>;
  /** Struct name (namespace-qualified) → every field, inherited ones first. */
  structs: Record<string, StoneField[]>;
  unions: Record<string, string[]>;
};

/** The named routes (`namespace/route`), the structs their arg and result reach, and those structs' field types. */
export function cutStone(namespaces: StoneNamespace[], routeIds: string[], source: string): StoneCut {
  const byName = new Map(namespaces.map((n) => [n.name, n]));
  const cut: StoneCut = { source, routes: {}, structs: {}, unions: {} };
  const qualify = (ns: string, type: string) => (type.includes('.') ? type : `${ns}.${type}`);
  const visit = (qualified: string): void => {
    const [nsName, name] = qualified.split('.') as [string, string];
    const ns = byName.get(nsName);
    if (!ns || cut.structs[qualified] || cut.unions[qualified]) return;
    const union = ns.unions.get(name);
    if (union) {
      cut.unions[qualified] = [...union];
      return;
    }
    const struct = ns.structs.get(name);
    if (!struct) return; // an alias or a primitive (String, Boolean, List(…), …)
    const parent = struct.extends ? qualify(nsName, struct.extends) : null;
    if (parent) visit(parent);
    const fields = struct.fields.map((f) => ({ ...f, type: /^[A-Z]\w*$|^\w+\.\w+$/.test(f.type) && !PRIMITIVES.has(f.type) ? qualify(nsName, f.type) : f.type }));
    cut.structs[qualified] = [...(parent ? (cut.structs[parent] ?? []) : []), ...fields];
    for (const f of fields) if (f.type.includes('.')) visit(f.type);
  };
  for (const id of routeIds) {
    const slash = id.indexOf('/');
    const ns = byName.get(id.slice(0, slash));
    const route = ns?.routes.find((r) => r.name === id.slice(slash + 1));
    if (!ns || !route) throw new Error(`route ${id} is not in the spec`);
    const arg = route.arg === 'Void' ? 'Void' : qualify(ns.name, route.arg);
    const result = route.result === 'Void' ? 'Void' : qualify(ns.name, route.result);
    const a = route.attrs;
    cut.routes[id] = { host: a.host!, style: a.style!, auth: a.auth!, scope: a.scope ?? null, arg, result };
    for (const t of [arg, result]) if (t !== 'Void') visit(t);
  }
  return cut;
}

const PRIMITIVES = new Set(['String', 'Boolean', 'UInt32', 'UInt64', 'Int32', 'Int64', 'Float32', 'Float64', 'Timestamp', 'Bytes', 'Void']);

/** Reads every `*.stone` file of a checkout, or of a bare git directory's HEAD. */
function readSpec(dir: string): StoneNamespace[] {
  const bare = !existsSync(`${dir}/users.stone`);
  const files = bare
    ? execFileSync('git', ['--git-dir', dir, 'ls-tree', '--name-only', 'HEAD'], { encoding: 'utf8' }).split('\n').filter((f) => f.endsWith('.stone'))
    : execFileSync('ls', [dir], { encoding: 'utf8' }).split('\n').filter((f) => f.endsWith('.stone'));
  return files.map((f) => parseStone(bare ? execFileSync('git', ['--git-dir', dir, 'show', `HEAD:${f}`], { encoding: 'utf8' }) : readFileSync(`${dir}/${f}`, 'utf8')));
}

function main(argv: string[]): void {
  const sourceAt = argv.indexOf('--source');
  const source = sourceAt >= 0 ? argv.splice(sourceAt, 2)[1]! : 'dropbox/dropbox-api-spec';
  const [dir, out, ...routes] = argv;
  if (!dir || !out || !routes.length) throw new Error('usage: node test/contracts/stone.ts <spec dir> <out.json> <namespace/route>... [--source "…"]');
  writeFileSync(out, `${JSON.stringify(cutStone(readSpec(dir), routes, source), null, 1)}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main(process.argv.slice(2));
