/**
 * `npm run token -- --workspace <slug> --member <email> --name ci [--role admin]`
 * Mints an API token for a member (creating the member when --role is given) and prints it once.
 */
import { mintToken } from '../../access/api-tokens.ts';
import { ROLES, type Role } from '../../entities/member.ts';
import { AppError } from '../../errors.ts';
import { findOrCreateMember, findWorkspaceBySlug } from '../../workspaces/workspaces.ts';
import { parseFlags, runCli } from './run-cli.ts';
import { withDatabase } from './with-database.ts';

const USAGE = 'Usage: npm run token -- --workspace <slug> --member <email> --name <token name> [--role owner|admin|member]';

await runCli(async () => {
  const { flags } = parseFlags(process.argv.slice(2));
  const slug = flags.workspace ?? 'default';
  const email = flags.member;
  const name = flags.name;
  const role = flags.role as Role | undefined;
  if (!email || !name) throw new AppError('validation_failed', `--member and --name are required.\n${USAGE}`);
  if (role && !ROLES.includes(role)) throw new AppError('validation_failed', `--role must be one of ${ROLES.join(', ')}.`);
  await withDatabase(async (em) => {
    const ws = await findWorkspaceBySlug(em, slug);
    const { member, created } = await findOrCreateMember(em, ws.id, email, role);
    const { token } = await mintToken(em, { workspaceId: ws.id, memberId: member.id, name });
    if (created) process.stderr.write(`Created ${member.role} ${email} in '${ws.slug}'.\n`);
    process.stderr.write(`Token '${name}' for ${email} (${member.role}) in '${ws.slug}', shown once:\n`);
    process.stdout.write(`${token}\n`);
  });
});
