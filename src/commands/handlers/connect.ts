import { getProvider } from '../../providers/registry.ts';
import { AppError } from '../../errors.ts';
import { connectionButtons } from '../cards.ts';
import {
  apiKeyAlternative,
  authorizeReply,
  checkingReply,
  connectFormId,
  credentialsForm,
  hasOAuthApp,
  splitFormValues,
} from '../credentials.ts';
import type { Provider } from '../../providers/types.ts';
import type { Command, CommandContext, FormHandler } from '../types.ts';
import { bold, commandButton, ephemeral, inChannel, mention, plain, type Block, type NeutralReply } from '../view.ts';

const connect: Command = {
  name: 'connect',
  usage: 'connect <provider> [--api-key] [--new]',
  grammar: {
    params: [
      { name: 'provider', kind: 'provider', required: true, description: 'The service to connect' },
      { name: 'api-key', kind: 'flag', description: 'Connect with an API key rather than OAuth' },
      { name: 'new', kind: 'flag', description: 'Add another even if one is errored' },
    ],
  },
  examples: ['connect hubspot', 'connect linear --api-key'],
  summary: 'Connects a service: a sign-in link for OAuth providers, a private form for API keys',
  permission: 'connections.connect',
  async run(ctx, line) {
    const slug = line.args[0]?.toLowerCase();
    if (!slug) throw new AppError('validation_failed', 'Name the provider to connect.');
    const provider = getProvider(slug);
    const d = provider.definition;
    // An errored connection of this provider is fixed by reconnecting, not by adding a duplicate.
    if (!line.flags.has('new')) {
      const errored = await ctx.connections.list(ctx.caller, { provider: d.slug, status: 'errored' });
      const first = errored[0];
      if (first) {
        const text = `${bold(plain(first.displayName))} (${d.displayName}) is errored${first.statusReason ? `: ${plain(first.statusReason)}` : ''}. Reconnect it rather than adding a second ${d.displayName} connection.`;
        return ephemeral(`⚠️ ${text}`, [
          { type: 'section', text: `⚠️ ${text}` },
          {
            type: 'actions',
            buttons: [
              commandButton(`Reconnect ${plain(first.displayName)}`, 'reconnect', [first.id], { style: 'primary' }),
              commandButton('Connect another anyway', 'connect', [d.slug, '--new', ...(line.flags.has('api-key') ? ['--api-key'] : [])]),
            ],
          },
        ]);
      }
    }
    if (d.auth.inbound) return await connectInbound(ctx, provider, line.flags.has('new'));
    const wantsKey = line.flags.has('api-key');
    if (d.auth.credentials && (wantsKey || !d.auth.oauth2 || !(await hasOAuthApp(ctx, provider)))) {
      return withRealtimeNote(provider, credentialsForm(provider, { formId: connectFormId(d.slug), title: `Connect ${d.displayName}`, submitLabel: 'Connect', withDisplayName: true }));
    }
    if (wantsKey) throw new AppError('validation_failed', `${d.displayName} connects through OAuth only; run it without --api-key.`);
    const extra = line.flags.has('new') ? ['--new'] : [];
    return withRealtimeNote(provider, await authorizeReply(ctx, provider, { alternative: apiKeyAlternative(provider, extra) }));
  },
};

/**
 * Where the provider sends webhooks, one line on what realtime sync needs there — the scopes or
 * role registration needs (Linear's `admin` scope), or what an Admin sets up by hand (Jira) —
 * said before the grant, when the scopes can still be chosen.
 */
function withRealtimeNote(provider: Provider, reply: NeutralReply): NeutralReply {
  const setup = provider.webhooks?.setup;
  if (!setup) return reply;
  const note = `Realtime sync: ${setup}`;
  // A form may open as a modal that shows only its intro (Slack): the note goes there.
  const hasForm = reply.blocks.some((b) => b.type === 'form');
  const blocks: Block[] = hasForm
    ? reply.blocks.map((b) => (b.type === 'form' ? { ...b, intro: b.intro ? `${b.intro}\n${note}` : note } : b))
    : [...reply.blocks, { type: 'context', text: note }];
  return { ...reply, text: `${reply.text}\n${note}`, blocks };
}

/**
 * An inbound provider (Zapier) calls Patchbay with a Patchbay API token, so there is nothing to
 * type: connecting records the connection (its test lists what the service subscribed to) and the
 * reply explains the setup. Connected already: the reply explains it again, without a duplicate.
 */
async function connectInbound(ctx: CommandContext, provider: Provider, again: boolean): Promise<NeutralReply> {
  const d = provider.definition;
  const steps = d.auth.inbound!.instructions;
  const live = again ? [] : (await ctx.connections.list(ctx.caller, { provider: d.slug })).filter((c) => c.status !== 'disconnected');
  if (live[0]) {
    const text = `${bold(plain(live[0].displayName))} is already connected. ${steps}`;
    return ephemeral(text, [
      { type: 'section', text },
      { type: 'actions', buttons: connectionButtons(live[0]) },
    ]);
  }
  const { connection, account } = await ctx.connections.connectWithCredentials(ctx.caller, { provider: d.slug, fields: {} });
  const text = `✅ ${mention(ctx.invocation.userId)} connected ${bold(plain(connection.displayName))}: ${plain(account.accountName)}.`;
  return inChannel(`${text}\n${steps}`, [
    { type: 'section', text },
    { type: 'section', text: steps },
    { type: 'actions', buttons: connectionButtons(connection) },
  ]);
}

/** `connect:<slug>` form: validates at once (errors shown on the form), then tests with the provider and saves. */
export const connectForm: FormHandler = {
  prefix: 'connect',
  permission: 'connections.connect',
  async submit(ctx, slug, values) {
    const provider = getProvider(slug);
    const { fields, displayName } = splitFormValues(provider, values);
    ctx.connections.parseCredentialFields(provider, fields); // throws validation_failed with per-field details
    const followUp = (async () => {
      const { connection, account } = await ctx.connections.connectWithCredentials(ctx.caller, {
        provider: provider.definition.slug,
        fields,
        ...(displayName ? { displayName } : {}),
      });
      const text = `✅ ${mention(ctx.invocation.userId)} connected ${bold(plain(connection.displayName))} as ${plain(account.accountName)}.`;
      return inChannel(text, [
        { type: 'section', text },
        { type: 'actions', buttons: connectionButtons(connection) },
      ]);
    })();
    return { immediate: checkingReply(provider.definition.displayName), followUp };
  },
};

export default connect;
