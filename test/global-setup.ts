/**
 * One PostgreSQL for the whole run: DATABASE_URL when set (an ordinary server), else an embedded
 * throwaway cluster in the OS temp dir. Migrations run once into a template database; each test
 * file clones it (test/helpers/db.ts), so files run in parallel on isolated databases.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../src/config/index.ts';
import { applyMigrations, createPool } from '../src/db/database.ts';
import { startEmbeddedPostgres, type EmbeddedDb } from '../src/db/embedded.ts';
import { createOrm } from '../src/db/orm.ts';
import { createLogger } from '../src/logger.ts';

export const TEMPLATE_DB = 'patchbay_test_template';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    templateDb: string;
  }
}

let embedded: EmbeddedDb | undefined;
let dir: string | undefined;

function withDb(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

export async function setup(project: TestProject) {
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    dir = mkdtempSync(path.join(os.tmpdir(), 'patchbay-test-'));
    chmodSync(dir, 0o755); // the postgres OS user (when running as root) must traverse it
    embedded = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), fast: true });
    adminUrl = embedded.url;
  }
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${TEMPLATE_DB} with (force)`);
  await admin.query(`create database ${TEMPLATE_DB}`);
  const url = withDb(adminUrl, TEMPLATE_DB);
  const logger = createLogger('silent');
  const orm = await createOrm(url, logger, 2);
  const pool = createPool(url, 2, logger);
  await applyMigrations(orm, pool, logger);
  await orm.close(true);
  await pool.end();
  await admin.end();
  void loadConfig; // (keeps the import graph identical to the app's for type-checking)
  project.provide('pgAdminUrl', adminUrl);
  project.provide('templateDb', TEMPLATE_DB);
}

export async function teardown() {
  await embedded?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}
