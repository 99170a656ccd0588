/** Migrations (ours, then graphile-worker's) apply to an empty database, once. */
import { readdirSync } from 'node:fs';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { applyMigrations, createPool } from '../../src/db/database.ts';
import { createOrm, MIGRATIONS_DIR, pendingMigrations, type Orm } from '../../src/db/orm.ts';
import { createLogger } from '../../src/logger.ts';
import { createEmptyDatabase } from '../helpers/db.ts';
import { sql } from './support.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger(
    'debug',
    new Writable({
      write(chunk, _enc, cb) {
        for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
        cb();
      },
    }),
  );
  return { logger, lines };
}

async function open(url: string, logger = createLogger('silent')): Promise<{ orm: Orm; pool: ReturnType<typeof createPool> }> {
  const orm = await createOrm(url, logger, 2);
  const pool = createPool(url, 3, logger);
  cleanups.push(async () => {
    await orm.close(true);
    await pool.end();
  });
  return { orm, pool };
}

async function emptyDb() {
  const db = await createEmptyDatabase();
  cleanups.push(db.drop);
  return db;
}

const tableExists = async (url: string, name: string) =>
  (await sql<{ t: string | null }>(url, 'select to_regclass($1)::text as t', [name]))[0]!.t !== null;

/** Migration files shipped in migrations/ (whoever added them). */
const migrationFiles = () =>
  readdirSync(MIGRATIONS_DIR)
    .filter((f) => /^Migration.*\.ts$/.test(f) && !f.endsWith('.d.ts'))
    .map((f) => f.replace(/\.ts$/, ''));

describe('migrations', () => {
  it('apply to an empty database: the core tables and graphile-worker schema exist afterwards', async () => {
    const db = await emptyDb();
    expect(await tableExists(db.url, 'public.workspaces')).toBe(false);
    const { orm, pool } = await open(db.url);
    await applyMigrations(orm, pool, createLogger('silent'));

    for (const t of ['public.workspaces', 'public.members', 'public.api_tokens']) expect(await tableExists(db.url, t), t).toBe(true);
    const schemas = await sql(db.url, `select 1 from information_schema.schemata where schema_name = 'graphile_worker'`);
    expect(schemas).toHaveLength(1);
    expect(await tableExists(db.url, 'graphile_worker.jobs')).toBe(true);
    // graphile-worker's add_job is what transactional enqueue calls.
    const fn = await sql(db.url, `select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'graphile_worker' and p.proname = 'add_job'`);
    expect(fn.length).toBeGreaterThan(0);

    // Every migration file in migrations/ is recorded as applied, and none is pending.
    const applied = (await sql<{ name: string }>(db.url, 'select name from mikro_orm_migrations')).map((r) => r.name);
    expect(applied.sort()).toEqual(migrationFiles().sort());
    expect(await pendingMigrations(orm)).toEqual([]);
    expect(await orm.migrator.getPending()).toEqual([]);
  });

  it('leave the entities matching the migrated schema: migration:create would write nothing (triggers kept)', async () => {
    const db = await emptyDb();
    const { orm, pool } = await open(db.url);
    await applyMigrations(orm, pool, createLogger('silent'));
    // What `npm run migration:create` computes, without writing a file.
    const diff = await orm.schema.getUpdateSchemaMigrationSQL({ wrap: false });
    expect(diff.up.trim()).toBe('');
    const triggers = await sql<{ tgname: string }>(db.url, `select tgname from pg_trigger where not tgisinternal order by tgname`);
    expect(triggers.map((t) => t.tgname)).toContain('connections_status_guard');
  });

  it('apply nothing the second time', async () => {
    const db = await emptyDb();
    const first = capturingLogger();
    const { orm, pool } = await open(db.url, first.logger);
    await applyMigrations(orm, pool, first.logger);
    expect(first.lines.some((l) => String(l.msg).match(/^applied \d+ migration/))).toBe(true);
    const before = await sql(db.url, 'select name, executed_at from mikro_orm_migrations order by name');
    const gwBefore = await sql(db.url, 'select id from graphile_worker.migrations order by id');

    // A second process starting on the same database (a restart, or a worker beside the server).
    const second = capturingLogger();
    const again = await open(db.url, second.logger);
    await applyMigrations(again.orm, again.pool, second.logger);
    expect(second.lines.filter((l) => String(l.msg).match(/^applied \d+ migration/))).toEqual([]);
    expect(await sql(db.url, 'select name, executed_at from mikro_orm_migrations order by name')).toEqual(before);
    expect(await sql(db.url, 'select id from graphile_worker.migrations order by id')).toEqual(gwBefore);
    expect(await pendingMigrations(again.orm)).toEqual([]);
  });

  it('apply once when a server and a worker start together on an empty database', async () => {
    const db = await emptyDb();
    const a = await open(db.url);
    const b = await open(db.url);
    await Promise.all([applyMigrations(a.orm, a.pool, createLogger('silent')), applyMigrations(b.orm, b.pool, createLogger('silent'))]);
    const rows = await sql<{ name: string }>(db.url, 'select name from mikro_orm_migrations');
    expect(rows.map((r) => r.name).sort()).toEqual(migrationFiles().sort());
    expect(await tableExists(db.url, 'public.api_tokens')).toBe(true);
  });
});
