/**
 * Connecting from chat: OAuth providers get a button to the authorize URL (bound to this user
 * and channel, so the outcome is posted back here); credential providers get a form. Secrets
 * only ever travel in form values — never typed into a channel, logged or echoed.
 */
import { oauthConfigured } from '../connections/oauth-apps.ts';
import { startAuthorization } from '../connections/oauth-flow.ts';
import type { ChatContext } from '../entities/oauth-state.ts';
import { AppError } from '../errors.ts';
import type { Provider } from '../providers/types.ts';
import type { CommandContext } from './types.ts';
import { bold, commandButton, ephemeral, formatWhen, plain, urlButton, type Block, type Button, type FormField, type NeutralReply } from './view.ts';

/** The form id a submission is routed by: `connect:<slug>` or `reconnect:<connectionId>`. */
export const connectFormId = (slug: string) => `connect:${slug}`;
export const reconnectFormId = (connectionId: string) => `reconnect:${connectionId}`;

/** Field name of the optional display name on the connect form (never a provider field name). */
export const DISPLAY_NAME_FIELD = 'displayName';

export function chatContextOf(ctx: CommandContext): ChatContext {
  const inv = ctx.invocation;
  return {
    platform: inv.platform,
    teamId: inv.teamId,
    channelId: inv.channelId,
    userId: inv.userId,
    ...(inv.messageRef ? { messageTs: inv.messageRef } : {}),
  };
}

export async function hasOAuthApp(ctx: CommandContext, provider: Provider): Promise<boolean> {
  return (await oauthConfigured(ctx.rt, ctx.rt.em(), ctx.workspace.id, provider)) !== null;
}

/** The form for a credentials provider's typed fields (plus an optional display name when connecting). */
export function credentialsForm(provider: Provider, opts: { formId: string; title: string; submitLabel: string; withDisplayName: boolean; intro?: string }): NeutralReply {
  const spec = provider.definition.auth.credentials;
  if (!spec) throw new AppError('validation_failed', `${provider.definition.displayName} has no typed credentials; it connects through OAuth.`);
  const fields: FormField[] = spec.fields.map((f) => ({
    name: f.name,
    label: f.label,
    secret: f.secret,
    ...(f.help ? { help: f.help } : {}),
    ...(f.optional ? { optional: true } : {}),
  }));
  if (opts.withDisplayName && !spec.fields.some((f) => f.name === DISPLAY_NAME_FIELD)) {
    fields.push({
      name: DISPLAY_NAME_FIELD,
      label: 'Display name',
      secret: false,
      optional: true,
      placeholder: provider.definition.displayName,
      help: 'How this connection is named in Patchbay (default: the provider name).',
    });
  }
  const intro = opts.intro ?? spec.instructions;
  const text = `${opts.title}: fill in the form. The values are checked with ${provider.definition.displayName} before anything is saved, and never shown again.`;
  return ephemeral(text, [
    { type: 'section', text: `🔑 ${text}` },
    { type: 'form', id: opts.formId, title: opts.title, intro, fields, submitLabel: opts.submitLabel },
  ]);
}

/** An authorize link for this user and channel; the outcome is posted back to the channel by the alert pipeline. */
export async function authorizeReply(
  ctx: CommandContext,
  provider: Provider,
  opts: { connectionId?: string; connectionName?: string; alternative?: Button },
): Promise<NeutralReply> {
  const started = await startAuthorization(ctx.rt, ctx.caller, {
    provider: provider.definition.slug,
    ...(opts.connectionId ? { connectionId: opts.connectionId } : {}),
    chatContext: chatContextOf(ctx),
  });
  const name = provider.definition.displayName;
  const what = opts.connectionName ? `Reconnect ${bold(plain(opts.connectionName))}` : `Connect ${bold(name)}`;
  const text = `${what}: open the link below and allow access at ${name}. The link is for you only, works once, and expires ${formatWhen(started.expiresAt)}. The result is posted in this channel.`;
  const buttons: Button[] = [urlButton(opts.connectionName ? `Reconnect ${name}` : `Connect ${name}`, started.authorizeUrl, 'primary')];
  if (opts.alternative) buttons.push(opts.alternative);
  const blocks: Block[] = [
    { type: 'section', text: `🔐 ${text}` },
    { type: 'actions', buttons },
  ];
  return ephemeral(`${text} ${started.authorizeUrl}`, blocks);
}

/** Splits form values into the provider's declared fields and the display name; unknown keys are dropped. */
export function splitFormValues(provider: Provider, values: Record<string, string>): { fields: Record<string, string>; displayName?: string } {
  const names = new Set((provider.definition.auth.credentials?.fields ?? []).map((f) => f.name));
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) if (names.has(k)) fields[k] = v;
  const displayName = names.has(DISPLAY_NAME_FIELD) ? undefined : values[DISPLAY_NAME_FIELD];
  return displayName ? { fields, displayName } : { fields };
}

/** "Checking…" while the provider is asked. */
export function checkingReply(providerName: string): NeutralReply {
  return ephemeral(`⏳ Checking the credentials with ${providerName}…`);
}

export function apiKeyAlternative(provider: Provider, extraArgs: string[] = []): Button | undefined {
  const spec = provider.definition.auth.credentials;
  if (!spec) return undefined;
  return commandButton(spec.kind === 'basic' ? 'Use credentials instead' : 'Use an API key instead', 'connect', [provider.definition.slug, '--api-key', ...extraArgs]);
}

