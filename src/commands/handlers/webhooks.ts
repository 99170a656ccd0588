/**
 * `webhooks`: the workspace's outbound webhook endpoints with status, last delivery, failures in a
 * row and kept deliveries, each with Test and (when paused or disabled) Enable buttons;
 * `webhooks enable <name>` re-enables one, `webhooks test <name>` sends a `test` event and says
 * what the receiver answered. Admins and Owners only, as in the API (`webhooks.manage`): the role
 * is checked — and a refusal audited, in the same shape as the API's — before any endpoint is
 * looked up, so a Member learns nothing about which endpoints exist. Endpoint names and URLs are
 * typed by admins: shown with `plain()`.
 */
import { authorizeOrAudit } from '../../access/authorize.ts';
import { AppError } from '../../errors.ts';
import { testWebhook } from '../../webhooks/deliveries.ts';
import { pendingCount } from '../../webhooks/drain.ts';
import { enableWebhook, findWebhookByRef, listWebhooks, webhookView, type WebhookView } from '../../webhooks/endpoints.ts';
import type { Command, CommandContext } from '../types.ts';
import { answerText, hostOf, plural, WEBHOOK_STATUS_EMOJI, webhookButtons } from '../webhook-cards.ts';
import { bold, code, ephemeral, formatWhen, inChannel, mention, plain, type Block, type NeutralReply } from '../view.ts';
import type { Param } from '../grammar.ts';

/** More than this and the reply gets unwieldy on every platform (Slack allows 50 blocks). */
const MAX_SHOWN = 15;

const VERBS = ['enable', 'test'] as const;
const WEBHOOK: Param = { name: 'name', kind: 'text', required: true, description: 'Webhook name or id' };

/** `✅ active · **Billing sync** → hooks.example.com` (`· from a Zap` when Zapier made it). */
function title(w: WebhookView): string {
  const from = w.source === 'zapier' ? ' · from a Zap (Zapier)' : '';
  return `${WEBHOOK_STATUS_EMOJI[w.status]} ${w.status} · ${bold(plain(w.name))} → ${plain(hostOf(w.url))}${from}`;
}

function facts(w: WebhookView, pending: number): string {
  const parts: string[] = [];
  if (w.status !== 'active' && w.statusReason) parts.push(plain(w.statusReason));
  parts.push(w.lastAttemptAt ? `last delivery ${formatWhen(w.lastAttemptAt)}: ${answerText(w.lastStatusCode)}` : 'no delivery attempted yet');
  if (w.consecutiveFailures) parts.push(`${plural(w.consecutiveFailures, 'failure')} in a row`);
  if (pending || w.status !== 'active') parts.push(`${plural(pending, 'delivery', 'deliveries')} kept`);
  return parts.join(' · ');
}

/** The API's check (`webhooks.manage`, audited as a refusal about a webhook), with what the chat knows of the role. */
async function authorize(ctx: CommandContext, targetId: string | null): Promise<void> {
  await authorizeOrAudit(ctx.rt, {
    workspaceId: ctx.workspace.id,
    role: ctx.member.role,
    action: 'webhooks.manage',
    targetType: 'webhook',
    targetId,
    what: 'Managing webhooks',
    details: { explicitRole: ctx.role.explicit, platformRole: ctx.platformRole },
  });
}

async function pendingByEndpoint(ctx: CommandContext): Promise<Map<string, number>> {
  const rows = await ctx.rt
    .em()
    .execute<Array<{ endpoint_id: string; n: string }>>(`select endpoint_id, count(*)::text as n from webhook_deliveries where workspace_id = ? and status = 'pending' group by endpoint_id`, [ctx.workspace.id]);
  return new Map(rows.map((r) => [r.endpoint_id, Number(r.n)]));
}

async function list(ctx: CommandContext): Promise<NeutralReply> {
  try {
    await authorize(ctx, null);
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== 'forbidden') throw err;
    const text = `🚫 Only Admins and Owners can see and manage this workspace’s webhooks; you are a Member. Ask an Owner for the Admin role, or an Admin to look.`;
    return { ...ephemeral(text), error: { code: 'forbidden' } };
  }
  const rows = await listWebhooks(ctx.rt, ctx.caller);
  if (!rows.length) {
    return ephemeral(`No webhooks yet. An Admin adds one with ${code('POST /api/v1/webhooks')} (name, URL, event types); ${code(ctx.cmd('webhooks'))} then lists it.`);
  }
  const pending = await pendingByEndpoint(ctx);
  const blocks: Block[] = [{ type: 'header', text: `Webhooks (${rows.length})` }];
  const lines: string[] = [];
  for (const w of rows.slice(0, MAX_SHOWN)) {
    const f = facts(w, pending.get(w.id) ?? 0);
    blocks.push({ type: 'section', text: `${title(w)}\n${f}` });
    blocks.push({ type: 'actions', buttons: webhookButtons(w) });
    lines.push(`${title(w)} — ${f}`);
  }
  if (rows.length > MAX_SHOWN) blocks.push({ type: 'context', text: `…and ${rows.length - MAX_SHOWN} more: ${code('GET /api/v1/webhooks')} lists every one.` });
  blocks.push({ type: 'context', text: `Name one in ${code(ctx.cmd('webhooks test <name>'))} or ${code(ctx.cmd('webhooks enable <name>'))}; put names with spaces in "double quotes".` });
  return ephemeral(lines.join('\n'), blocks);
}

/** Checks the role first (so a Member learns nothing of which names exist), then finds the endpoint by id or name. */
async function resolveWebhook(ctx: CommandContext, verb: string, ref: string): Promise<WebhookView> {
  if (!ref) {
    await authorize(ctx, null);
    throw new AppError('validation_failed', `Name the webhook to ${verb}, e.g. ${code(ctx.cmd(`webhooks ${verb} "Billing sync"`))}; ${code(ctx.cmd('webhooks'))} lists them.`);
  }
  const found = await findWebhookByRef(ctx.rt, ctx.workspace.id, ref).catch((err: unknown) => {
    if (err instanceof AppError && err.code === 'not_found') return null;
    throw err;
  });
  await authorize(ctx, found?.id ?? null);
  if (!found) {
    const shown = ref.length > 60 ? `${ref.slice(0, 60)}…` : ref;
    throw new AppError('not_found', `No webhook '${plain(shown)}'. ${code(ctx.cmd('webhooks'))} lists them.`);
  }
  return webhookView(found);
}

async function enable(ctx: CommandContext, w: WebhookView): Promise<NeutralReply> {
  const name = bold(plain(w.name));
  if (w.status === 'active') return ephemeral(`${name} is already active: deliveries go out as events happen.`);
  const kept = await pendingCount(ctx.rt.em(), w.id);
  const updated = await enableWebhook(ctx.rt, ctx.caller, w.id);
  const what = kept
    ? `its ${plural(kept, 'kept delivery', 'kept deliveries')} ${kept === 1 ? 'goes' : 'go'} out now, oldest first.`
    : w.status === 'disabled'
      ? 'nothing was kept while it was disabled; new events are delivered from now on.'
      : 'new events are delivered from now on.';
  const text = `▶️ ${mention(ctx.invocation.userId)} enabled webhook ${name}: ${what}`;
  return inChannel(text, [
    { type: 'section', text: `${text}\n${title(updated)}` },
    { type: 'actions', buttons: webhookButtons(updated) },
  ]);
}

function test(ctx: CommandContext, w: WebhookView): { immediate: NeutralReply; followUp: Promise<NeutralReply> } {
  const name = bold(plain(w.name));
  const who = mention(ctx.invocation.userId);
  // The receiver may take up to the delivery timeout: acknowledge now, answer when it has.
  const followUp = (async () => {
    const r = await testWebhook(ctx.rt, ctx.caller, w.id);
    const ms = r.attempt.durationMs;
    // The receiver's words (its error, its response) are outside text.
    let text = r.ok
      ? `✅ ${who} sent a test event to ${name}: ${r.outcome} in ${ms} ms.`
      : `❌ ${who} sent a test event to ${name}: it failed in ${ms} ms — ${plain(r.outcome)}.${r.attempt.response ? ` It answered: ${plain(r.attempt.response.slice(0, 200))}` : ''}`;
    if (w.status !== 'active') text += r.ok ? ` The endpoint is still ${w.status}: Enable resumes delivery.` : ` The endpoint stays ${w.status}.`;
    const buttons = webhookButtons(w).filter((b) => b.label !== 'Test');
    return inChannel(text, [{ type: 'section', text }, ...(buttons.length ? [{ type: 'actions' as const, buttons }] : [])]);
  })();
  return { immediate: ephemeral(`⏳ Sending a test event to ${name}…`), followUp };
}

const webhooks: Command = {
  name: 'webhooks',
  usage: 'webhooks [enable|test <name>]',
  grammar: {
    verbs: [
      { name: 'list', words: [], summary: 'Lists the outbound webhooks with status and last delivery', params: [] },
      { name: 'enable', summary: 'Enables a paused or disabled webhook (Admin)', params: [WEBHOOK] },
      { name: 'test', summary: 'Sends a test event to a webhook (Admin)', params: [WEBHOOK] },
    ],
  },
  examples: ['webhooks', 'webhooks test "Billing sync"', 'webhooks enable "Billing sync"'],
  summary: 'Lists the outbound webhooks with status, last delivery and failures, with Test and Enable buttons (Admin)',
  async run(ctx, line) {
    const [verbArg, ...rest] = line.args;
    if (verbArg === undefined) return await list(ctx);
    const verb = verbArg.toLowerCase();
    if (!(VERBS as readonly string[]).includes(verb)) {
      throw new AppError('validation_failed', `Unknown webhooks action '${plain(verbArg)}': use ${VERBS.map((v) => code(v)).join(' or ')} with a webhook's name, or ${code(ctx.cmd('webhooks'))} alone to list them.`);
    }
    const w = await resolveWebhook(ctx, verb, rest.join(' ').trim());
    return verb === 'enable' ? await enable(ctx, w) : test(ctx, w);
  },
};

export default webhooks;
