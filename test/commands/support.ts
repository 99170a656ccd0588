/** Drives the chat core as a chat platform would: invocations in, neutral replies out. */
import { createLinkCode, createPersonalLinkCode } from '../../src/chat/link-codes.ts';
import { renderText } from '../../src/commands/render-text.ts';
import { runCommand, submitForm, type CommandResult, type Invocation } from '../../src/commands/run.ts';
import { unmarkPlain, type NeutralReply } from '../../src/commands/view.ts';
import { Member, type IMember } from '../../src/entities/member.ts';
import { Workspace } from '../../src/entities/workspace.ts';
import type { TestApp } from '../helpers/app.ts';

export type ChatUser = Partial<Invocation> & { userId: string };

export function chat(app: TestApp, defaults: Partial<Invocation> = {}) {
  const base: Omit<Invocation, 'text' | 'userId'> = { platform: 'slack', teamId: 'T1', channelId: 'C1', ...defaults };
  const run = (user: ChatUser, text: string) => runCommand(app.pb.rt, { ...base, ...user, text });
  return {
    run,
    /** Runs and waits for the follow-up, if any: the reply the user ends up with. */
    async final(user: ChatUser, text: string): Promise<NeutralReply> {
      return await settle(await run(user, text));
    },
    async submit(user: ChatUser, formId: string, values: Record<string, string>): Promise<CommandResult> {
      return await submitForm(app.pb.rt, { ...base, ...user, text: '' }, formId, values);
    },
    text: (r: NeutralReply) => renderText(r),
  };
}

export async function settle(r: CommandResult): Promise<NeutralReply> {
  return r.followUp ? await r.followUp : r.immediate;
}

/** Every button's command line in a reply, e.g. `pause 6f1c…`; labels and dialogs as shown (outside text unmarked). */
export function buttons(r: NeutralReply): Array<{ label: string; line?: string; url?: string; style?: string; confirm?: unknown }> {
  return r.blocks.flatMap((b) => {
    const list = b.type === 'actions' ? b.buttons : b.type === 'section' && b.accessory ? [b.accessory] : [];
    return list.map((btn) => ({
      label: unmarkPlain(btn.label),
      ...('url' in btn.action ? { url: btn.action.url } : { line: [btn.action.command, ...btn.action.args].join(' ') }),
      ...(btn.style ? { style: btn.style } : {}),
      ...(btn.confirm ? { confirm: JSON.parse(unmarkPlain(JSON.stringify(btn.confirm))) as unknown } : {}),
    }));
  });
}

export async function defaultWorkspace(app: TestApp) {
  const em = app.pb.rt.em();
  const ws = await em.findOneOrFail(Workspace, { slug: 'default' });
  const owner = await em.findOneOrFail(Member, { workspace: ws.id, role: 'owner' });
  return { ws, owner };
}

/** A link code made by the default workspace's Owner. */
export async function linkCode(app: TestApp): Promise<string> {
  const { ws, owner } = await defaultWorkspace(app);
  return (await createLinkCode(app.pb.rt, { workspaceId: ws.id, member: owner })).code;
}

/** A personal link code of a member: `link <code>` in a linked team makes that chat user them (an email alone never makes an Admin). */
export async function personalCode(app: TestApp, member: IMember): Promise<string> {
  return (await createPersonalLinkCode(app.pb.rt, { workspaceId: member.workspace, member })).code;
}

export const LINEAR_VIEWER = { data: { viewer: { id: 'lin-user-1', name: 'Ada Lovelace', email: 'ada@example.com' } } };
