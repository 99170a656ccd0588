/**
 * `hooks`: the workspace's custom inbound hooks (status, messages received, last one);
 * `hooks create <name> [--secret]` makes one and shows its URL (and generated secret) once, to
 * the Admin alone; `hooks delete <name>` asks first; `hooks disable|enable <name>`. Listing is
 * for everyone (`hooks.read`), changes for Admins and Owners (`hooks.manage`, as in the API):
 * the role is checked — and a refusal audited — before any hook is looked up, so a Member learns
 * nothing from a refusal. Names are typed by admins: shown with `plain()`.
 */
import { authorizeOrAudit } from '../../access/authorize.ts';
import type { Action } from '../../access/permissions.ts';
import { AppError } from '../../errors.ts';
import { createHook, deleteHook, findHookByRef, hookView, listHooks, updateHook, type HookView } from '../../hooks/hooks.ts';
import { hookName } from '../../hooks/input.ts';
import type { Command, CommandContext } from '../types.ts';
import { bold, code, commandButton, ephemeral, formatWhen, inChannel, mention, plain, type Block, type NeutralReply } from '../view.ts';
import type { Param } from '../grammar.ts';

const MAX_SHOWN = 15;
const VERBS = ['create', 'delete', 'disable', 'enable'] as const;
const STATUS_EMOJI = { active: '✅', disabled: '⏹' } as const;
const HOOK: Param = { name: 'name', kind: 'text', required: true, description: 'Hook name or id' };

async function authorize(ctx: CommandContext, action: Action, targetId: string | null): Promise<void> {
  await authorizeOrAudit(ctx.rt, {
    workspaceId: ctx.workspace.id,
    role: ctx.member.role,
    action,
    targetType: 'hook',
    targetId,
    what: action === 'hooks.manage' ? 'Managing custom hooks' : 'Reading custom hooks',
    details: { explicitRole: ctx.role.explicit, platformRole: ctx.platformRole, via: 'chat' },
  });
}

function line(h: HookView): string {
  const received = h.receivedCount === 1 ? '1 message' : `${h.receivedCount} messages`;
  const last = h.lastReceivedAt ? `last ${formatWhen(h.lastReceivedAt)}` : 'nothing received yet';
  return `${STATUS_EMOJI[h.status]} ${h.status} · ${bold(plain(h.name))} · ${received}, ${last}${h.hasSecret ? ' · signed' : ''}`;
}

async function list(ctx: CommandContext): Promise<NeutralReply> {
  const rows = await listHooks(ctx.rt, ctx.caller);
  if (!rows.length) {
    return ephemeral(`No custom hooks yet. An Admin makes one with ${code(ctx.cmd('hooks create <name> [--secret]'))}: a URL any service can POST JSON to.`);
  }
  const lines = rows.slice(0, MAX_SHOWN).map(line);
  const blocks: Block[] = [{ type: 'header', text: `Custom hooks (${rows.length})` }, { type: 'section', text: lines.join('\n') }];
  if (rows.length > MAX_SHOWN) blocks.push({ type: 'context', text: `…and ${rows.length - MAX_SHOWN} more: ${code('GET /api/v1/hooks')} lists every one.` });
  blocks.push({ type: 'context', text: `${code(ctx.cmd('alerts here hooks'))} posts what they receive in a channel; ${code('GET /api/v1/hooks/{id}/messages')} lists it.` });
  return ephemeral(lines.join('\n'), blocks);
}

async function create(ctx: CommandContext, rawName: string, withSecret: boolean): Promise<NeutralReply> {
  await authorize(ctx, 'hooks.manage', null);
  const parsed = hookName.safeParse(rawName);
  if (!parsed.success) throw new AppError('validation_failed', `Name the hook (1 to 100 characters), e.g. ${code(ctx.cmd('hooks create "Uptime monitor" --secret'))}.`);
  const h = await createHook(ctx.rt, ctx.caller, { name: parsed.data, ...(withSecret ? { secret: true as const } : {}) });
  const name = bold(plain(h.name));
  // The URL and the secret go to this Admin alone (ephemeral), in the blocks only: notifications show the fallback text.
  const blocks: Block[] = [
    { type: 'section', text: `🪝 Hook ${name} is ready. Its URL, shown this once (anyone holding it can post to it — keep it like a password):\n${code(h.url)}` },
  ];
  if (h.secret) {
    blocks.push({
      type: 'section',
      text: `Signing secret, shown this once: ${code(h.secret)}\nBodies must carry Standard Webhooks headers (${code('webhook-id')}, ${code('webhook-timestamp')}, ${code('webhook-signature')}); unsigned ones get 401.`,
    });
  } else {
    blocks.push({ type: 'section', text: `Try it: ${code(`curl -X POST -H 'content-type: application/json' -d '{"text":"hello"}' ${h.url}`)}` });
  }
  blocks.push({ type: 'context', text: `${code(ctx.cmd('alerts here hooks'))} in a channel posts what it receives there. Lost the URL? ${code(`POST /api/v1/hooks/${h.id}/rotate-token`)} makes a new one.` });
  return ephemeral(`🪝 Hook ${name} is ready: its URL${h.secret ? ' and signing secret are' : ' is'} shown below, this once.`, blocks);
}

/** Checks the role first (so a Member learns nothing of which names exist), then finds the hook. */
async function resolveHook(ctx: CommandContext, verb: string, ref: string): Promise<HookView> {
  await authorize(ctx, 'hooks.manage', null);
  if (!ref) throw new AppError('validation_failed', `Name the hook to ${verb}, e.g. ${code(ctx.cmd(`hooks ${verb} "Uptime monitor"`))}; ${code(ctx.cmd('hooks'))} lists them.`);
  const found = await findHookByRef(ctx.rt, ctx.workspace.id, ref).catch((err: unknown) => {
    if (err instanceof AppError && err.code === 'not_found') return null;
    throw err;
  });
  if (!found) {
    const shown = ref.length > 60 ? `${ref.slice(0, 60)}…` : ref;
    throw new AppError('not_found', `No hook '${plain(shown)}'. ${code(ctx.cmd('hooks'))} lists them.`);
  }
  return hookView(ctx.rt, found);
}

async function remove(ctx: CommandContext, h: HookView, confirmed: boolean): Promise<NeutralReply> {
  const name = bold(plain(h.name));
  if (!confirmed) {
    const text = `Delete hook ${name}? Its URL stops working at once (senders get 404) and the ${h.receivedCount === 1 ? 'message it received is' : `${h.receivedCount} messages it received are`} deleted.`;
    return ephemeral(text, [
      { type: 'section', text: `⚠️ ${text}` },
      {
        type: 'actions',
        buttons: [
          commandButton('Delete', 'hooks', ['delete', h.id, '--confirmed'], {
            style: 'danger',
            confirm: { title: `Delete ${plain(h.name)}?`, text: 'Its URL stops working and its messages are deleted. This cannot be undone.', confirmLabel: 'Delete', denyLabel: 'Cancel' },
          }),
        ],
      },
    ]);
  }
  await deleteHook(ctx.rt, ctx.caller, h.id);
  return { ...inChannel(`🗑 ${mention(ctx.invocation.userId)} deleted hook ${name}: its URL answers 404 from now on.`), replaceOriginal: Boolean(ctx.invocation.messageRef) };
}

async function setStatus(ctx: CommandContext, h: HookView, status: 'active' | 'disabled'): Promise<NeutralReply> {
  const name = bold(plain(h.name));
  if (h.status === status) return ephemeral(`${name} is already ${status}.`);
  await updateHook(ctx.rt, ctx.caller, h.id, { status });
  const what = status === 'active' ? 'enabled hook' : 'disabled hook';
  const effect = status === 'active' ? 'its URL accepts bodies again.' : 'its URL answers 404 until it is enabled again.';
  return inChannel(`${STATUS_EMOJI[status]} ${mention(ctx.invocation.userId)} ${what} ${name}: ${effect}`);
}

const hooks: Command = {
  name: 'hooks',
  usage: 'hooks [create <name> [--secret] | delete|disable|enable <name>]',
  grammar: {
    verbs: [
      { name: 'list', words: [], summary: 'Lists the custom inbound hooks', params: [] },
      {
        name: 'create',
        summary: 'Creates a hook and shows its URL once (Admin)',
        params: [HOOK, { name: 'secret', kind: 'flag', description: 'Also generate a signing secret (shown once)' }],
      },
      { name: 'delete', summary: 'Deletes a hook: its URL stops working (asks first; Admin)', params: [HOOK] },
      { name: 'disable', summary: 'Disables a hook: its URL answers 404 (Admin)', params: [HOOK] },
      { name: 'enable', summary: 'Enables a disabled hook again (Admin)', params: [HOOK] },
    ],
  },
  examples: ['hooks', 'hooks create "Uptime monitor" --secret', 'hooks disable "Uptime monitor"', 'hooks delete "Uptime monitor"'],
  summary: 'Lists the custom inbound hooks (URLs any service can POST JSON to); an Admin creates, disables, enables or deletes them',
  async run(ctx, parsed) {
    const [verbArg, ...rest] = parsed.args;
    if (verbArg === undefined) return await list(ctx);
    const verb = verbArg.toLowerCase();
    if (!(VERBS as readonly string[]).includes(verb)) {
      throw new AppError('validation_failed', `Unknown hooks action '${plain(verbArg)}': use ${VERBS.map((v) => code(v)).join(', ')} with a hook's name, or ${code(ctx.cmd('hooks'))} alone to list them.`);
    }
    const ref = rest.join(' ').trim();
    if (verb === 'create') return await create(ctx, ref, parsed.flags.has('secret'));
    const h = await resolveHook(ctx, verb, ref);
    if (verb === 'delete') return await remove(ctx, h, parsed.flags.has('confirmed'));
    return await setStatus(ctx, h, verb === 'enable' ? 'active' : 'disabled');
  },
};

export default hooks;
