/** `npm run workspace -- create <name> [--slug s] [--owner-email e] [--owner-name n]`: a new workspace and its Owner token. */
import { AppError } from '../../errors.ts';
import { createWorkspace } from '../../workspaces/workspaces.ts';
import { parseFlags, runCli } from './run-cli.ts';
import { withDatabase } from './with-database.ts';

const USAGE = 'Usage: npm run workspace -- create <name> [--slug <slug>] [--owner-email <email>] [--owner-name <name>]';

await runCli(async () => {
  const { flags, positional } = parseFlags(process.argv.slice(2));
  const [command, ...nameParts] = positional;
  if (command !== 'create' || nameParts.length === 0) throw new AppError('validation_failed', USAGE);
  const name = nameParts.join(' ');
  await withDatabase(async (em) => {
    const { workspace, owner, token } = await createWorkspace(em, {
      name,
      slug: flags.slug,
      ownerName: flags['owner-name'] ?? 'Owner',
      ownerEmail: flags['owner-email'] ?? null,
    });
    process.stderr.write(`Created workspace '${workspace.slug}' (${workspace.name}) with Owner ${owner.email ?? owner.displayName}.\n`);
    process.stderr.write('Owner API token, shown once:\n');
    process.stdout.write(`${token}\n`);
  });
});
