import { fileURLToPath } from 'node:url';
import { MikroORM, defineConfig, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import type { Logger } from '../logger.ts';
import { entities } from '../entities/index.ts';

export type Orm = MikroORM;

/** The folder that holds migrations, beside `src/` (and beside `dist/src` after a build). */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));

export function ormConfig(url: string, logger?: Logger, poolSize = 10): Options {
  return defineConfig({
    clientUrl: url,
    entities,
    extensions: [Migrator],
    pool: { min: 0, max: poolSize },
    // Schema changes only through migrations; never sync or discover at runtime.
    ensureDatabase: false,
    allowGlobalContext: false,
    migrations: {
      path: MIGRATIONS_DIR,
      pathTs: MIGRATIONS_DIR,
      glob: '!(*.d).{js,ts}',
      transactional: true,
      allOrNothing: true,
      snapshot: true,
      snapshotName: '.snapshot',
      emit: 'ts',
      silent: true,
    },
    // graphile-worker owns its schema and migrates it itself.
    // Triggers (the lifecycle writer's status guard, the chat cache's change signal) are written by
    // hand in migrations, not declared on entities: without this, every `migration:create` would
    // propose dropping them.
    schemaGenerator: { ignoreSchema: ['graphile_worker', 'sandbox'], ignoreTriggers: true },
    debug: false,
    logger: (msg: string) => logger?.debug({ orm: true }, msg),
  });
}

export async function createOrm(url: string, logger?: Logger, poolSize = 10): Promise<Orm> {
  return await MikroORM.init(ormConfig(url, logger, poolSize));
}

/** Applies pending migrations; returns the names applied. */
export async function migrate(orm: Orm): Promise<string[]> {
  const applied = await orm.migrator.up();
  return applied.map((m) => m.name);
}

export async function pendingMigrations(orm: Orm): Promise<string[]> {
  return (await orm.migrator.getPending()).map((m) => m.name);
}
