/** `npm run vault:rotate`: re-encrypts every stored credential under ENCRYPTION_KEY. */
import { loadVault } from '../../vault/vault.ts';
import { rotateAll } from '../../vault/rotate.ts';
import { runCli } from './run-cli.ts';
import { withDatabase } from './with-database.ts';

await runCli(async () => {
  await withDatabase(async (_em, rt) => {
    const vault = loadVault(rt.config, rt.logger);
    const counts = await rotateAll(rt.db.pool, vault);
    for (const [col, n] of Object.entries(counts)) process.stdout.write(`${col}: ${n} re-encrypted under key ${vault.currentKeyId}\n`);
    process.stdout.write('Done. Once every process runs with the new ENCRYPTION_KEY, remove the old key from ENCRYPTION_KEYS_PREVIOUS.\n');
  });
});
