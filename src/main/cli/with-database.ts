import type { EntityManager } from '@mikro-orm/postgresql';
import { loadConfig, readEnvironment } from '../../config/index.ts';
import { openDatabase } from '../../db/database.ts';
import { createLogger } from '../../logger.ts';
import type { Runtime } from '../../runtime.ts';
import { createRuntime } from '../../runtime.ts';

/** Opens the same database `npm start` uses (embedded when DATABASE_URL is unset), migrated, for one CLI command. */
export async function withDatabase<T>(fn: (em: EntityManager, rt: Runtime) => Promise<T>): Promise<T> {
  const config = loadConfig(readEnvironment());
  // CLI output is for people: keep routine log lines out of it, and warnings off stdout, which
  // carries only the command's result (TOKEN=$(npm run -s token -- …) must capture the token alone).
  const logger = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL, process.stderr);
  const db = await openDatabase(config, logger, { migrate: true });
  try {
    // CLI commands run no workers, so nothing dispatches events here: the server's workers do.
    const rt = createRuntime(config, logger, db, { subscribers: [] });
    return await fn(rt.em(), rt);
  } finally {
    await db.close();
  }
}
