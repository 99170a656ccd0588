/**
 * Opens the database Patchbay runs on: DATABASE_URL when set, otherwise an embedded PostgreSQL
 * under DATA_DIR. Applies migrations (ours, then graphile-worker's) under an advisory lock so a
 * server and separate workers starting together do not race.
 */
import path from 'node:path';
import pg from 'pg';
import { runMigrations } from 'graphile-worker';
import { workerLogger } from '../jobs/worker-logger.ts';
import { dataDir, type Config } from '../config/index.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { openEmbeddedPostgres, resolveDataDir, type ClusterOwner, type EmbeddedDb } from './embedded.ts';
import { createOrm, migrate, type Orm } from './orm.ts';
import { withAdvisoryLock } from './locks.ts';

export type Database = {
  url: string;
  orm: Orm;
  /** A plain pg pool for graphile-worker and raw SQL; survives server restarts (error handlers attached). */
  pool: pg.Pool;
  embedded?: EmbeddedDb;
  close(): Promise<void>;
};

const MIGRATION_LOCK = 7_311_402_001; // arbitrary, fixed: serialises migrations across processes

export function createPool(url: string, max: number, logger: Logger): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 10_000 });
  // Without these, a database restart (57P01 admin shutdown) is an unhandled 'error' and kills the process.
  // Logged compactly: the error object can carry the whole pg client (kilobytes per line).
  const brief = (err: Error & { code?: string }) => ({ code: err.code, message: err.message });
  pool.on('error', (err) => logger.warn({ err: brief(err) }, 'database pool: idle client error'));
  pool.on('connect', (client) => client.on('error', (err) => logger.warn({ err: brief(err) }, 'database pool: client error')));
  return pool;
}

/**
 * Ends a pool and waits until its connections are closed. `pool.end()` resolves as soon as it has
 * asked each client to end; stopping the embedded server right then terminated those still
 * closing, and each logged "terminating connection due to administrator command".
 */
export async function endPool(pool: pg.Pool, timeoutMs = 2_000): Promise<void> {
  const open = pool.totalCount;
  let removed = 0;
  const closed = new Promise<void>((resolve) => {
    if (!open) resolve();
    pool.on('remove', () => {
      if (++removed >= open) resolve();
    });
  });
  await pool.end();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  clearTimeout(timer);
}

export async function applyMigrations(orm: Orm, pool: pg.Pool, logger: Logger): Promise<void> {
  await withAdvisoryLock(pool, MIGRATION_LOCK, async () => {
    const applied = await migrate(orm);
    if (applied.length) logger.info({ migrations: applied }, `applied ${applied.length} migration(s)`);
    await runMigrations({ pgPool: pool, logger: workerLogger(logger) });
  });
}

export type OpenOptions = {
  migrate: boolean;
  /** Who opens the embedded cluster: a server holds its data alone, other commands share a running one. Default: a CLI command. */
  owner?: Omit<ClusterOwner, 'pid'>;
};

/** `npm run chat` and the like, from the entry point's file name (`vault-rotate.ts` → `npm run vault:rotate`). */
function cliOwner(): Omit<ClusterOwner, 'pid'> {
  const script = path.basename(process.argv[1] ?? 'cli', '.ts').replace(/-/g, ':');
  return { role: 'cli', command: `npm run ${script}` };
}

export async function openDatabase(config: Config, logger: Logger, opts: OpenOptions): Promise<Database> {
  let url = config.DATABASE_URL;
  let embedded: EmbeddedDb | undefined;
  if (!url) {
    const requested = path.join(dataDir(config), 'pg');
    const { dir, movedBecause } = resolveDataDir(requested, process.cwd());
    if (movedBecause) logger.warn({ dataDir: dir }, `embedded PostgreSQL data kept in ${dir}: ${movedBecause}`);
    logger.info({ dataDir: dir }, 'DATABASE_URL is unset: starting the embedded PostgreSQL');
    const owner: ClusterOwner = { pid: process.pid, ...(opts.owner ?? cliOwner()) };
    embedded = await openEmbeddedPostgres({ dataDir: dir, owner, log: (m) => logger.debug({ postgres: true }, m) });
    if (embedded.shared) logger.info({ dataDir: dir, port: embedded.port }, 'the embedded PostgreSQL was already running (another Patchbay process): connected to it');
    url = embedded.url;
    await ensureDatabaseExists(url, 'patchbay').catch(async (err: unknown) => {
      await embedded?.stop();
      throw err;
    });
    url = url.replace(/\/postgres$/, '/patchbay');
  } else {
    await waitForDatabase(url, config.DATABASE_WAIT_SECONDS, logger);
  }
  const orm = await createOrm(url, logger, config.DATABASE_POOL_SIZE);
  const pool = createPool(url, Math.max(4, config.WORKER_CONCURRENCY + config.WEBHOOK_CONCURRENCY + 2), logger);
  if (opts.migrate) {
    await applyMigrations(orm, pool, logger).catch(async (err: unknown) => {
      await orm.close(true).catch(() => {});
      await endPool(pool).catch(() => {});
      await embedded?.stop();
      throw err;
    });
  }
  let closed = false;
  return {
    url,
    orm,
    pool,
    embedded,
    async close() {
      if (closed) return;
      closed = true;
      await orm.close(true).catch((err) => logger.warn({ err }, 'closing ORM'));
      await endPool(pool).catch((err) => logger.warn({ err }, 'closing pool'));
      if (embedded) await embedded.stop().catch((err) => logger.warn({ err }, 'stopping embedded PostgreSQL'));
    },
  };
}

/** Failures that mean "not up yet" (compose starts PostgreSQL beside us); anything else is final. */
const NOT_YET = /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN|57P03|08\w{3})$/;

/**
 * Waits until PostgreSQL accepts a connection, retrying with backoff for up to `seconds`. Gives
 * up with one clear line (the URL without its password) for runCli to print, no stack trace.
 */
export async function waitForDatabase(url: string, seconds: number, logger: Logger): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  const where = describeUrl(url);
  for (let attempt = 0; ; attempt++) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query('select 1');
      if (attempt > 0) logger.info({ database: where }, 'PostgreSQL is up');
      return;
    } catch (err) {
      const code = String((err as { code?: unknown }).code ?? (/timeout/i.test(String(err)) ? 'ETIMEDOUT' : ''));
      if (!NOT_YET.test(code)) {
        throw new AppError('service_unavailable', `Cannot use PostgreSQL at ${where}: ${(err as Error).message}. Check DATABASE_URL.`, { cause: err });
      }
      const delay = Math.min(5_000, 250 * 2 ** attempt);
      if (Date.now() + delay > deadline) {
        throw new AppError(
          'service_unavailable',
          `PostgreSQL at ${where} did not accept connections within ${seconds} s (${code}). Check that it is running and DATABASE_URL; DATABASE_WAIT_SECONDS sets how long to wait.`,
          { cause: err },
        );
      }
      if (attempt === 0) logger.warn({ database: where, code, waitSeconds: seconds }, `PostgreSQL is not reachable yet (${code}); retrying for up to ${seconds} s`);
      await new Promise((r) => setTimeout(r, delay));
    } finally {
      await client.end().catch(() => {});
    }
  }
}

function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return 'DATABASE_URL';
  }
}

export async function ensureDatabaseExists(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  client.on('error', () => {});
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) await client.query(`create database ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}
