/**
 * Small helpers for the skeleton tests: polling instead of blind sleeps, child processes of the
 * real entry points, and a side-effect table jobs can write to.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { configSchema } from '../../src/config/index.ts';

/** The project root (the checkout these tests belong to, wherever it was cloned). */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Every variable the config module reads, taken from its zod schema. */
export const CONFIG_KEYS: string[] = Object.keys(configSchema.in.shape);

/** Polls `fn` until it returns something truthy; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  fn: () => Promise<T> | T,
  { timeoutMs = 20_000, intervalMs = 50 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<Exclude<T, null | undefined | false | 0 | ''>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as Exclude<T, null | undefined | false | 0 | ''>;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A fetch that gives up (rejects) instead of hanging. */
export async function fetchWithTimeout(url: string, init: RequestInit = {}, timeoutMs = 5_000): Promise<Response> {
  return await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
}

/** Runs one SQL statement on its own short-lived connection. */
export async function sql<R extends pg.QueryResultRow = pg.QueryResultRow>(
  url: string,
  text: string,
  params: unknown[] = [],
): Promise<R[]> {
  const c = new pg.Client({ connectionString: url });
  c.on('error', () => {});
  await c.connect();
  try {
    return (await c.query<R>(text, params)).rows;
  } finally {
    await c.end();
  }
}

export type Proc = {
  child: ChildProcess;
  /** Everything written so far. */
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Waits until stdout matches, or fails early if the process exits. */
  waitForStdout(re: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** SIGKILL if still running (cleanup after a failed test). */
  kill(): Promise<void>;
};

/** Starts one of Patchbay's entry points the way `npm start` / `npm run worker` do (Node 24, project root as cwd). */
export function runEntryPoint(script: string, env: Record<string, string | undefined>, args: string[] = []): Proc {
  const child = spawn(process.execPath, [script, ...args], { cwd: ROOT, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      done = true;
      resolve({ code, signal });
    }),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    async waitForStdout(re, timeoutMs) {
      return await waitFor(
        `stdout to match ${re}`,
        () => {
          const m = out.match(re);
          if (m) return m;
          if (done) throw new Error(`process exited before printing ${re}\nstdout:\n${out}\nstderr:\n${err}`);
          return null;
        },
        { timeoutMs, intervalMs: 100 },
      );
    },
    async kill() {
      if (!done) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

/**
 * The parent's environment without anything Patchbay's config reads (vitest sets NODE_ENV=test,
 * a developer may have DATABASE_URL exported), plus the given variables.
 */
function cleanEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!CONFIG_KEYS.includes(k) && !k.startsWith('PROVIDER_') && !k.startsWith('VITEST') && k !== 'NODE_OPTIONS') env[k] = v;
  }
  // A developer's .env (read by the config module, never overriding real variables) must not
  // point the child at their own database: an empty DATABASE_URL means "unset" to the config.
  if (existsSync(`${ROOT}/.env`) && /^\s*DATABASE_URL\s*=/m.test(readFileSync(`${ROOT}/.env`, 'utf8'))) env.DATABASE_URL = '';
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

/** Stops a PostgreSQL left running in `pgDataDir` by a child that was killed (its pid is in postmaster.pid). */
export function stopOrphanedPostgres(pgDataDir: string): void {
  const pidFile = `${pgDataDir}/postmaster.pid`;
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!(pid > 0)) return;
  try {
    process.kill(pid, 'SIGQUIT'); // immediate shutdown of that one cluster
  } catch {
    // already gone
  }
}
