/**
 * The terminal client of the chat core: runs `/integrations` commands as a member of a workspace,
 * rendering the neutral replies as text. Audited as `cli`.
 *
 *   npm run chat -- list                          one command
 *   npm run chat                                  an interactive prompt
 *   npm run chat -- link                          prints a single-use link code for a chat team
 *   npm run chat -- --as <email> link me          prints a personal code: a chat user becomes that member
 *   … [--workspace <slug>] [--as <email>]         default: the default workspace's first Owner
 *
 * Forms (API keys) are asked for field by field; secret fields are not echoed.
 */
import { createInterface } from 'node:readline';
import { createLinkCode, createPersonalLinkCode, LINK_CODE_TTL_MINUTES } from '../../chat/link-codes.ts';
import { ensureCliTeam } from '../../chat/tenancy.ts';
import { renderText, type TextOptions } from '../../commands/render-text.ts';
import { runCommand, submitForm, type CommandResult, type Invocation } from '../../commands/run.ts';
import { quoteArg, type Block, type NeutralReply } from '../../commands/view.ts';
import { Member, type IMember } from '../../entities/member.ts';
import { AppError } from '../../errors.ts';
import type { Runtime } from '../../runtime.ts';
import { findWorkspaceBySlug } from '../../workspaces/workspaces.ts';
import { runCli } from './run-cli.ts';
import { withDatabase } from './with-database.ts';

const USAGE = 'Usage: npm run chat -- [--workspace <slug>] [--as <email>] [<command> …]   (no command: interactive prompt; `link`: a team link code; `--as <email> link me`: a personal code)';

/** Takes our two options out of argv; everything else is the command line, re-quoted. */
function parseArgs(argv: string[]): { workspace: string; as?: string; words: string[] } {
  let workspace = 'default';
  let as: string | undefined;
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.split('=', 2) as [string, string | undefined];
    if (flag === '--workspace' || flag === '--as') {
      const v = inline ?? argv[++i];
      if (!v) throw new AppError('validation_failed', `${flag} needs a value.\n${USAGE}`);
      if (flag === '--workspace') workspace = v;
      else as = v;
    } else if (a === '--help' || a === '-h') {
      words.push('help');
    } else {
      words.push(a);
    }
  }
  return { workspace, ...(as ? { as } : {}), words };
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

function formOf(reply: NeutralReply): Extract<Block, { type: 'form' }> | undefined {
  return reply.blocks.find((b): b is Extract<Block, { type: 'form' }> => b.type === 'form');
}

/**
 * Reads lines one at a time, whether typed or piped (lines that arrive while a command runs are
 * queued, not lost); with `secret` on a terminal, what is typed is not shown.
 */
type LineReader = { read(prompt: string, secret?: boolean): Promise<string | null>; close(): void };

function lineReader(): LineReader {
  const tty = Boolean(process.stdin.isTTY);
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: tty });
  const internal = rl as unknown as { _writeToOutput(s: string): void };
  const original = internal._writeToOutput.bind(rl);
  const queue: string[] = [];
  const waiting: Array<(line: string | null) => void> = [];
  let closed = false;
  rl.on('line', (line) => {
    internal._writeToOutput = original;
    const next = waiting.shift();
    if (next) next(line);
    else queue.push(line);
  });
  rl.on('close', () => {
    closed = true;
    for (const w of waiting.splice(0)) w(null);
  });
  return {
    async read(prompt, secret = false) {
      if (queue.length) {
        process.stdout.write(`${prompt}\n`);
        return queue.shift()!;
      }
      if (closed) return null;
      if (secret && tty) {
        process.stdout.write(prompt);
        internal._writeToOutput = (s: string) => {
          if (s.includes('\n') || s.includes('\r')) process.stdout.write('\n');
        };
      } else {
        rl.setPrompt(prompt);
        rl.prompt();
      }
      return await new Promise<string | null>((resolve) => waiting.push(resolve));
    },
    close: () => rl.close(),
  };
}

type Session = { rt: Runtime; base: Omit<Invocation, 'text'>; text: TextOptions; lines(): LineReader };

/** Prints a result (and its follow-up); fills in a form when the reply has one. Returns false when it reported an error. */
async function show(s: Session, result: CommandResult): Promise<boolean> {
  let ok = !result.immediate.error;
  process.stdout.write(`${renderText(result.immediate, s.text)}\n`);
  let last = result.immediate;
  if (result.followUp) {
    last = await result.followUp;
    ok = !last.error;
    process.stdout.write(`${renderText(last, s.text)}\n`);
  }
  const form = formOf(last);
  if (!form) return ok;
  process.stdout.write('\n');
  const values: Record<string, string> = {};
  for (const f of form.fields) {
    const hint = [f.optional ? 'optional' : '', f.placeholder ? `default ${f.placeholder}` : ''].filter(Boolean).join(', ');
    if (f.help) process.stdout.write(`  ${f.help}\n`);
    const value = await s.lines().read(`${f.label}${hint ? ` (${hint})` : ''}: `, f.secret);
    if (value === null) {
      process.stdout.write('Input ended before the form was complete; nothing was submitted.\n');
      return false;
    }
    values[f.name] = value;
  }
  return await show(s, await submitForm(s.rt, { ...s.base, text: '' }, form.id, values));
}

await runCli(async () => {
  const { workspace: slug, as, words } = parseArgs(process.argv.slice(2));
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
    const session: Session = {
      rt,
      base: { platform: 'cli', teamId, teamName: 'terminal', userId, userName: member.displayName, channelId: 'terminal' },
      text: { names: { [userId]: member.displayName } },
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
