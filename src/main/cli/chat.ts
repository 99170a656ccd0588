/**
 * The terminal client of the chat core: runs chat commands as a member of a workspace, rendered
 * as terminal text. Audited as `cli`.
 *
 *   npm run chat -- list                          one command
 *   npm run chat -- disconnect linear --yes       destructive commands ask y/N; --yes for scripts
 *   npm run chat                                  an interactive prompt
 *   npm run chat -- link                          prints a single-use link code for a chat team
 *   npm run chat -- --as <email> link me          prints a personal code: a chat user becomes that member
 *   … [--workspace <slug>] [--as <email>]         default: the default workspace's first Owner
 *
 * Forms (API keys) are asked for field by field, each checked as typed, secrets last and not echoed.
 */
import { createLinkCode, createPersonalLinkCode, LINK_CODE_TTL_MINUTES } from '../../chat/link-codes.ts';
import { ensureCliTeam } from '../../chat/tenancy.ts';
import { runCommand } from '../../commands/run.ts';
import { quoteArg } from '../../commands/view.ts';
import { Member, type IMember } from '../../entities/member.ts';
import { AppError } from '../../errors.ts';
import type { Runtime } from '../../runtime.ts';
import { findWorkspaceBySlug } from '../../workspaces/workspaces.ts';
import { show, type Session } from './chat-session.ts';
import { lineReader, type LineReader } from './line-reader.ts';
import { runCli } from './run-cli.ts';
import { withDatabase } from './with-database.ts';

const USAGE = 'Usage: npm run chat -- [--workspace <slug>] [--as <email>] [--yes] [<command> …]   (no command: interactive prompt; `link`: a team link code; `--as <email> link me`: a personal code)';
/** What a one-shot command line starts with, shown in usage texts and on buttons. */
const ONE_SHOT_PREFIX = 'npm run chat --';

/** Takes our options out of argv; everything else is the command line, re-quoted. */
function parseArgs(argv: string[]): { workspace: string; as?: string; yes: boolean; words: string[] } {
  let workspace = 'default';
  let as: string | undefined;
  let yes = false;
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.split('=', 2) as [string, string | undefined];
    if (flag === '--workspace' || flag === '--as') {
      const v = inline ?? argv[++i];
      if (!v) throw new AppError('validation_failed', `${flag} needs a value.\n${USAGE}`);
      if (flag === '--workspace') workspace = v;
      else as = v;
    } else if (a === '--yes' || a === '-y') {
      yes = true;
    } else if (a === '--help' || a === '-h') {
      words.push('help');
    } else {
      words.push(a);
    }
  }
  return { workspace, ...(as ? { as } : {}), yes, words };
}

async function chooseMember(rt: Runtime, workspaceId: string, email?: string): Promise<IMember> {
  const em = rt.em();
  if (email) {
    const rows = await em.execute<Array<{ id: string }>>('select id from members where workspace_id = ? and lower(email) = lower(?)', [workspaceId, email]);
    if (!rows[0]) throw new AppError('not_found', `No member with email '${email}' in this workspace. Create one with \`npm run token -- --member ${email} --role admin --name cli\`.`);
    return await em.findOneOrFail(Member, { id: rows[0].id });
  }
  const owner = await em.findOne(Member, { workspace: workspaceId, role: 'owner' }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  if (!owner) throw new AppError('not_found', 'This workspace has no Owner; pass --as <email>.');
  return owner;
}

await runCli(async () => {
  const { workspace: slug, as, yes, words } = parseArgs(process.argv.slice(2));
  await withDatabase(async (em, rt) => {
    const workspace = await findWorkspaceBySlug(em, slug).catch((err: unknown) => {
      if (slug === 'default' && err instanceof AppError && err.code === 'not_found') {
        throw new AppError('not_found', 'There is no default workspace yet: start Patchbay once with `npm start` (it creates it), or pass --workspace <slug>.');
      }
      throw err;
    });
    const member = await chooseMember(rt, workspace.id, as);

    if (words.length === 2 && words[0] === 'link' && words[1] === 'me') {
      const { code, expiresAt } = await createPersonalLinkCode(rt, { workspaceId: workspace.id, member });
      process.stderr.write(`Personal link code for ${member.email ?? member.displayName} (${member.role}) in '${workspace.slug}', single use, valid ${LINK_CODE_TTL_MINUTES} minutes (until ${expiresAt.toISOString()}):\n`);
      process.stdout.write(`${code}\n`);
      process.stderr.write(`In a chat team linked to '${workspace.slug}', run: /integrations link ${code}  (you then act as yourself there)\n`);
      return;
    }
    if (words.length === 1 && words[0] === 'link') {
      const { code, expiresAt } = await createLinkCode(rt, { workspaceId: workspace.id, member });
      process.stderr.write(`Link code for workspace '${workspace.slug}', single use, valid ${LINK_CODE_TTL_MINUTES} minutes (until ${expiresAt.toISOString()}):\n`);
      process.stdout.write(`${code}\n`);
      process.stderr.write(`In the chat team, run: /integrations link ${code}\n`);
      return;
    }

    const { teamId, userId } = await ensureCliTeam(rt, workspace, member);
    let reader: LineReader | undefined;
    // One-shot commands are typed after `npm run chat --`; at the prompt, bare.
    const prefix = words.length ? ONE_SHOT_PREFIX : '';
    const session: Session = {
      rt,
      workspaceId: workspace.id,
      base: { platform: 'cli', teamId, teamName: 'terminal', userId, userName: member.displayName, channelId: 'terminal', prefix },
      text: { prefix, names: { [userId]: member.displayName }, you: userId, plainMentions: true },
      yes,
      lines: () => (reader ??= lineReader()),
    };
    try {
      if (words.length) {
        const ok = await show(session, await runCommand(rt, { ...session.base, text: words.map(quoteArg).join(' ') }));
        if (!ok) process.exitCode = 1;
        return;
      }
      const prompt = `patchbay ${workspace.slug} (${member.email ?? member.displayName})> `;
      process.stdout.write(`Patchbay chat commands as ${member.displayName} (${member.role}) in '${workspace.slug}'. Type help, or exit to leave.\n`);
      for (;;) {
        const read = await session.lines().read(prompt);
        if (read === null) break; // Ctrl-D / end of piped input
        const line = read.trim();
        if (!line) continue;
        if (line === 'exit' || line === 'quit') break;
        await show(session, await runCommand(rt, { ...session.base, text: line }));
      }
    } finally {
      reader?.close();
    }
  });
});
