/** `npm run migration:create [-- name]`: diffs the entities against the migrated schema and writes a migration. */
import { loadConfig, readEnvironment } from '../../config/index.ts';
import { openDatabase } from '../../db/database.ts';
import { createLogger } from '../../logger.ts';
import { runCli } from './run-cli.ts';

await runCli(async () => {
  const config = loadConfig(readEnvironment());
  const logger = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL);
  const db = await openDatabase(config, logger, { migrate: true });
  try {
    const result = await db.orm.migrator.create(undefined, false, false, process.argv[2]);
    if (!result.diff.up.length) console.log('No changes: the entities match the migrated schema.');
    else console.log(`Wrote migrations/${result.fileName}`);
  } finally {
    await db.close();
  }
});
