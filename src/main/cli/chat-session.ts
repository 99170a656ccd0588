/**
 * One terminal session of the chat core: prints replies as terminal text (commands as you type
 * them here, names rather than ids, "You" rather than mentions), fills in forms field by field,
 * and asks `y/N` before a destructive command instead of a chat platform's confirm dialog.
 */
import { plainText, renderText, type TextOptions } from '../../commands/render-text.ts';
import { runCommand, submitForm, type CommandResult, type Invocation } from '../../commands/run.ts';
import { commandLine, isUrlAction, type Block, type Button, type CommandAction, type NeutralReply } from '../../commands/view.ts';
import type { Runtime } from '../../runtime.ts';
import { fillForm, type Form } from './form-prompt.ts';
import type { LineReader } from './line-reader.ts';

export type Session = {
  rt: Runtime;
  workspaceId: string;
  base: Omit<Invocation, 'text'>;
  text: TextOptions;
  /** `--yes`: destructive commands go ahead without asking (scripts). */
  yes: boolean;
  lines(): LineReader;
};

/**
 * How each connection is named on a command line: its provider (`linear`) when it is the only
 * live one of that provider, else its display name; disconnected ones keep their id.
 */
async function connectionNames(rt: Runtime, workspaceId: string): Promise<Record<string, string>> {
  const rows = await rt
    .em()
    .execute<Array<{ id: string; provider_slug: string; display_name: string }>>(`select id, provider_slug, display_name from connections where workspace_id = ? and status <> 'disconnected'`, [
      workspaceId,
    ]);
  const perProvider = new Map<string, number>();
  for (const r of rows) perProvider.set(r.provider_slug, (perProvider.get(r.provider_slug) ?? 0) + 1);
  const names: Record<string, string> = {};
  for (const r of rows) {
    // A display name equal to another connection's provider would resolve to that other one.
    const slugIsSomeonesName = rows.some((o) => o.id !== r.id && o.display_name.toLowerCase() === r.provider_slug);
    names[r.id] = perProvider.get(r.provider_slug) === 1 && !slugIsSomeonesName ? r.provider_slug : r.display_name;
  }
  return names;
}

async function print(s: Session, reply: NeutralReply): Promise<void> {
  const argNames = await connectionNames(s.rt, s.workspaceId);
  process.stdout.write(`${renderText(withoutConfirmButton(reply), { ...s.text, argNames })}\n`);
}

const formOf = (reply: NeutralReply) => reply.blocks.find((b): b is Form => b.type === 'form');

/** The confirm-then-run button of a confirmation card (`disconnect <id> --confirmed`). */
function confirmation(reply: NeutralReply): (Button & { action: CommandAction }) | undefined {
  for (const b of reply.blocks) {
    if (b.type !== 'actions') continue;
    const found = b.buttons.find((x): x is Button & { action: CommandAction } => Boolean(x.confirm) && !isUrlAction(x.action) && x.action.args.includes('--confirmed'));
    if (found) return found;
  }
  return undefined;
}

/** Asks `question [y/N]`; anything but y/yes (or the end of input) is a no. */
async function confirm(s: Session, question: string): Promise<boolean> {
  if (s.yes) return true;
  const answer = await s.lines().read(`${question} [y/N] `);
  return /^(y|yes)$/i.test(answer?.trim() ?? '');
}

/** Prints a result (and its follow-up); confirms or fills in what the reply asks for. Returns false when it ended in an error or was declined. */
export async function show(s: Session, result: CommandResult): Promise<boolean> {
  let last = result.immediate;
  await print(s, last);
  if (result.followUp) {
    last = await result.followUp;
    await print(s, last);
  }
  if (last.error) return false;
  const button = confirmation(last);
  if (button) {
    // The title names the connection: rendered, so it reads as typed (no chat marks).
    if (!(await confirm(s, plainText(button.confirm!.title, s.text)))) {
      process.stdout.write('Cancelled: nothing was changed.\n');
      return false;
    }
    return await show(s, await runCommand(s.rt, { ...s.base, text: commandLine(button.action) }));
  }
  const form = formOf(last);
  if (!form) return true;
  process.stdout.write('\n');
  const values = await fillForm(s.rt, s.workspaceId, form, s.lines());
  if (!values) {
    process.stdout.write('Input ended before the form was complete; nothing was submitted.\n');
    return false;
  }
  return await show(s, await submitForm(s.rt, { ...s.base, text: '' }, form.id, values));
}

/** The terminal asks y/N itself: a confirmation card's button (a chat dialog) is not shown. */
function withoutConfirmButton(reply: NeutralReply): NeutralReply {
  if (!confirmation(reply)) return reply;
  const blocks: Block[] = reply.blocks.filter((b) => !(b.type === 'actions' && b.buttons.some((x) => x.confirm)));
  return { ...reply, blocks };
}
