/**
 * `webhook-secret <connection>`: for providers that make the webhook secret themselves (Jira admin
 * webhooks; `secretSource: 'admin'`), an Admin stores it on the connection through a form — the
 * secret travels only as a (masked) form value, never on the command line, which platforms echo
 * and log. The form names the URL to configure at the provider and the provider's setup steps.
 * `webhook-secret <connection> clear` asks first, then removes it (deliveries are refused again).
 * Other providers get where their secret comes from instead of a form. The same core as
 * `PUT/DELETE /api/v1/connections/{id}/webhook-secret` (src/inbound/admin-secrets.ts): its
 * checks, connection log and audit entries; the role (`connections.webhook_secret`) is checked —
 * and a refusal audited — before the connection is looked up.
 */
import type { ConnectionView } from '../../connections/view.ts';
import { AppError } from '../../errors.ts';
import { adminSecretInput, listConnectionWebhooks, removeAdminSecret, setAdminSecret, whereSecretComesFrom, type ConnectionWebhooks } from '../../inbound/admin-secrets.ts';
import { getProvider } from '../../providers/registry.ts';
import { resolveConnection } from '../resolve.ts';
import type { Command, CommandContext, FormHandler } from '../types.ts';
import { bold, code, commandButton, ephemeral, inChannel, mention, plain, type NeutralReply } from '../view.ts';
import { CONNECTION } from '../grammar.ts';

const NAME = 'webhook-secret';
const FIELD = 'secret';

/** `webhook-secret:<connectionId>`: the submission is routed by the prefix, like `reconnect:<id>`. */
export const webhookSecretFormId = (connectionId: string) => `${NAME}:${connectionId}`;

const providerName = (c: ConnectionView) => getProvider(c.provider).definition.displayName;

function requireLive(c: ConnectionView): void {
  if (c.status === 'disconnected') {
    throw new AppError('invalid_transition', `${plain(c.displayName)} is disconnected: its webhooks are no longer received. Connect it again first.`);
  }
}

/** The core's words on where this provider's secret comes from, when it is not one an Admin stores; null when it is. */
function notAdminStored(c: ConnectionView): NeutralReply | null {
  const provider = getProvider(c.provider);
  if (provider.webhooks?.scheme.secretSource === 'admin') return null;
  const text = `ℹ️ ${bold(plain(c.displayName))}: ${whereSecretComesFrom(provider)}`;
  return ephemeral(text);
}

const hasStored = (w: ConnectionWebhooks) => w.webhooks.some((r) => r.origin === 'admin');

async function openForm(ctx: CommandContext, c: ConnectionView): Promise<NeutralReply> {
  const w = await listConnectionWebhooks(ctx.rt, ctx.workspace.id, c.id);
  const name = providerName(c);
  const url = w.receivingUrl ?? '';
  const replaces = hasStored(w) ? ' It replaces the secret stored now.' : '';
  const text = `Store the ${name} webhook secret of ${bold(plain(c.displayName))}: fill in the form. It is stored encrypted and never shown again.${replaces}`;
  const intro = `URL to configure at ${name}: ${code(url)}\n${w.setup ?? ''}`.trim();
  return ephemeral(text, [
    { type: 'section', text: `🔑 ${text}` },
    {
      type: 'form',
      id: webhookSecretFormId(c.id),
      title: `${name} webhook secret`,
      intro,
      fields: [
        {
          name: FIELD,
          label: 'Webhook secret',
          secret: true,
          help: `The secret from ${name}'s webhook settings for ${url} (8 to 512 characters).`,
        },
      ],
      submitLabel: 'Store',
    },
  ]);
}

async function askClear(ctx: CommandContext, c: ConnectionView): Promise<NeutralReply> {
  const w = await listConnectionWebhooks(ctx.rt, ctx.workspace.id, c.id);
  const name = providerName(c);
  if (!hasStored(w)) return ephemeral(`${bold(plain(c.displayName))} has no stored ${name} webhook secret: nothing to remove.`);
  const effect = `${name} deliveries to ${code(w.receivingUrl ?? '')} are refused (401) until a new secret is stored.`;
  const text = `Remove the ${name} webhook secret of ${bold(plain(c.displayName))}? ${effect}`;
  return ephemeral(text, [
    { type: 'section', text: `⚠️ ${text}` },
    {
      type: 'actions',
      buttons: [
        commandButton('Remove secret', NAME, [c.id, 'clear', '--confirmed'], {
          style: 'danger',
          confirm: { title: 'Remove the webhook secret?', text: `${plain(c.displayName)}: ${effect}`, confirmLabel: 'Remove', denyLabel: 'Cancel' },
        }),
      ],
    },
  ]);
}

async function clear(ctx: CommandContext, c: ConnectionView): Promise<NeutralReply> {
  const name = providerName(c);
  const removed = await removeAdminSecret(ctx.rt, ctx.workspace.id, c.id);
  const replaceOriginal = Boolean(ctx.invocation.messageRef);
  if (!removed) return { ...ephemeral(`${bold(plain(c.displayName))} has no stored ${name} webhook secret: nothing to remove.`), replaceOriginal };
  const text = `🗑 ${mention(ctx.invocation.userId)} removed the ${name} webhook secret of ${bold(plain(c.displayName))}: its deliveries are refused until a new one is stored.`;
  // Clicked on the confirmation card: that card is done, the result replaces it.
  return { ...inChannel(text), replaceOriginal };
}

const webhookSecret: Command = {
  name: NAME,
  usage: `${NAME} <connection> [clear]`,
  grammar: {
    lead: [CONNECTION],
    verbs: [
      { name: 'store', words: [], summary: 'Stores the provider’s webhook secret (a private form)', params: [] },
      { name: 'clear', summary: 'Removes the stored webhook secret (asks first)', params: [] },
    ],
  },
  examples: [`${NAME} jira`, `${NAME} "Jira Eng" clear`],
  summary: 'Stores, through a private form, the webhook secret a provider made (Jira admin webhooks); `clear` removes it',
  permission: 'connections.webhook_secret',
  async run(ctx, line) {
    const args = [...line.args];
    const clearing = args.length > 1 && args[args.length - 1]!.toLowerCase() === 'clear';
    if (clearing) args.pop();
    const c = await resolveConnection(ctx, args.join(' ') || undefined);
    requireLive(c);
    const other = notAdminStored(c);
    if (other) return other;
    if (!clearing) return await openForm(ctx, c);
    return line.flags.has('confirmed') ? await clear(ctx, c) : await askClear(ctx, c);
  },
};

/** `webhook-secret:<connectionId>` form: checked at once (a bad value stays on the form), then stored. */
export const webhookSecretForm: FormHandler = {
  prefix: NAME,
  permission: 'connections.webhook_secret',
  async submit(ctx, connectionId, values) {
    const parsed = adminSecretInput.safeParse(values[FIELD] ?? '');
    if (!parsed.success) {
      const message = values[FIELD] ? (parsed.error.issues[0]?.message ?? 'The webhook secret is not valid.') : 'The webhook secret is required.';
      // chatReplyOf turns `form.<field>` details into field errors; the message never quotes the value.
      throw new AppError('validation_failed', message, { details: [{ path: `form.${FIELD}`, message }] });
    }
    const c = await ctx.connections.get(ctx.caller, connectionId);
    requireLive(c);
    const other = notAdminStored(c);
    if (other) return other;
    const change = await setAdminSecret(ctx.rt, ctx.workspace.id, c.id, parsed.data);
    const w = await listConnectionWebhooks(ctx.rt, ctx.workspace.id, c.id);
    const name = providerName(c);
    const replaced = change === 'replaced' ? ' (it replaces the previous one)' : '';
    return ephemeral(`✅ Stored${replaced}. ${name} webhooks to ${code(w.receivingUrl ?? '')} are now verified with it.`);
  },
};

export default webhookSecret;
