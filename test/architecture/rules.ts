/**
 * Patchbay's layering, as rules a test can check. The checks take files as (path, text) pairs,
 * so a test can show a rule failing on a planted file without editing the code base.
 *
 * Layers (README → Architecture):
 * - `src/` is the platform-neutral core; only the composition root (`src/main/`) may know the
 *   chat platforms' code (`bots/`) and their SDKs.
 * - `src/providers/` talks to third parties and knows nothing of chat, alerts or HTTP routes.
 * - `src/sandbox/` is a fake third party: only the HTTP app (mounting it) and `src/main/` import it.
 * - `src/entities/` is the schema: no HTTP, no bots.
 * - `src/events/` publishes; it imports none of its consumers (alerts, webhooks).
 * - No file in `src/` or `bots/` passes MAX_LINES; no module-level mutable state (it lives on
 *   the runtime, so two runtimes in one process — tests, workers — never share it).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export type SourceFile = { path: string; text: string };
export type Violation = { file: string; rule: string; detail: string };

export const MAX_LINES = 400;

const CHAT_SDK = /^(@slack\/|discord\.js$|discord\.js\/|@discordjs\/|@microsoft\/agents-|botbuilder)/;

type ImportRule = { rule: string; from: (file: string) => boolean; forbid: (target: string) => boolean };

const under = (dir: string) => (p: string) => p === dir || p.startsWith(`${dir}/`);

const IMPORT_RULES: ImportRule[] = [
  {
    rule: 'core imports no chat platform',
    from: (f) => under('src')(f) && !under('src/main')(f),
    forbid: (t) => under('bots')(t) || CHAT_SDK.test(t),
  },
  {
    rule: 'providers know nothing of chat, alerts or HTTP',
    from: under('src/providers'),
    forbid: (t) => ['src/commands', 'src/chat', 'src/alerts', 'src/http', 'bots'].some((d) => under(d)(t)),
  },
  {
    rule: 'only the composition root imports the Sandbox (a fake third party)',
    from: (f) => under('src')(f) && !under('src/sandbox')(f) && !under('src/main')(f) && f !== 'src/http/app.ts',
    forbid: under('src/sandbox'),
  },
  {
    rule: 'entities import no HTTP and no bots',
    from: under('src/entities'),
    forbid: (t) => under('src/http')(t) || under('bots')(t) || CHAT_SDK.test(t),
  },
  {
    rule: 'events import none of their consumers',
    from: under('src/events'),
    // The platform list is a leaf constant; everything else that consumes events is off limits.
    forbid: (t) => ['src/alerts', 'src/webhooks', 'src/commands', 'src/http', 'src/connections', 'src/main', 'bots'].some((d) => under(d)(t)),
  },
];

/**
 * Module-level state that is deliberate, with the reason. Everything else (a top-level `let`, or
 * a top-level Map/Set/array that is written to) is a violation.
 */
export const STATE_ALLOW_LIST: Record<string, string> = {
  'src/providers/registry.ts:bySlug': 'filled once at load from the constant provider list, read-only after',
  'src/db/embedded.ts:binariesRedirected': 'guards a process-wide module hook, which can only be registered once per process',
};

/** Import specifiers of a file: static imports and re-exports, and dynamic `import('…')`. */
export function importsOf(text: string): string[] {
  const out: string[] = [];
  const re = /(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of text.matchAll(re)) out.push((m[1] ?? m[2] ?? m[3])!);
  return out;
}

/** A specifier as a repository path (relative imports resolved), or the package name. */
function resolveTarget(file: string, spec: string): string {
  if (!spec.startsWith('.')) return spec;
  return path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
}

export function checkImports(files: SourceFile[]): Violation[] {
  const out: Violation[] = [];
  for (const f of files) {
    for (const spec of importsOf(f.text)) {
      const target = resolveTarget(f.path, spec);
      for (const r of IMPORT_RULES) {
        if (r.from(f.path) && r.forbid(target)) out.push({ file: f.path, rule: r.rule, detail: `imports ${spec}` });
      }
    }
  }
  return out;
}

export function checkSizes(files: SourceFile[], max = MAX_LINES): Violation[] {
  return files
    .map((f) => ({ f, lines: f.text.split('\n').length - (f.text.endsWith('\n') ? 1 : 0) }))
    .filter(({ lines }) => lines > max)
    .map(({ f, lines }) => ({ file: f.path, rule: `at most ${max} lines`, detail: `${lines} lines` }));
}

export function checkModuleState(files: SourceFile[], allow = STATE_ALLOW_LIST): Violation[] {
  const out: Violation[] = [];
  for (const f of files) {
    for (const m of f.text.matchAll(/^(?:export\s+)?(let|var)\s+([A-Za-z_$][\w$]*)/gm)) {
      if (!allow[`${f.path}:${m[2]}`]) out.push({ file: f.path, rule: 'no module-level mutable state', detail: `top-level ${m[1]} ${m[2]}` });
    }
    const containers = /^(?:export\s+)?const\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*(?:new\s+(?:Map|Set|WeakMap|WeakSet|Array)\b|\[\s*\]|\{\s*\})/gm;
    for (const m of f.text.matchAll(containers)) {
      const name = m[1]!;
      const written = new RegExp(`\\b${name}\\s*(?:\\.(?:set|add|delete|clear|push|pop|shift|unshift|splice)\\s*\\(|\\[[^\\]]+\\]\\s*=[^=])`).test(f.text);
      if (written && !allow[`${f.path}:${name}`]) {
        out.push({ file: f.path, rule: 'no module-level mutable state', detail: `top-level ${name} is written to; keep it on the runtime` });
      }
    }
  }
  return out;
}

/** Every .ts file under the given folders of the repository, as repository-relative paths. */
export function readSources(root: string, dirs: string[]): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(root, rel))) {
      const child = `${rel}/${name}`;
      if (statSync(path.join(root, child)).isDirectory()) walk(child);
      else if (name.endsWith('.ts')) out.push({ path: child, text: readFileSync(path.join(root, child), 'utf8') });
    }
  };
  for (const d of dirs) walk(d);
  return out;
}
