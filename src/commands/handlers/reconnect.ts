import { AppError } from '../../errors.ts';
import { getProvider } from '../../providers/registry.ts';
import { connectionButtons, isOAuth } from '../cards.ts';
import { authorizeReply, checkingReply, credentialsForm, reconnectFormId, splitFormValues } from '../credentials.ts';
import { resolveConnection } from '../resolve.ts';
import type { Command, FormHandler } from '../types.ts';
import { bold, inChannel, mention, plain } from '../view.ts';
import { CONNECTION } from '../grammar.ts';

const reconnect: Command = {
  name: 'reconnect',
  usage: 'reconnect <connection>',
  grammar: { params: [CONNECTION] },
  examples: ['reconnect hubspot', 'reconnect "Linear Eng"'],
  summary: 'Re-authorizes a connection in place (same id, history and settings)',
  permission: 'connections.reconnect',
  async run(ctx, line) {
    const c = await resolveConnection(ctx, line.args.join(' ') || undefined);
    if (c.status === 'disconnected') {
      throw new AppError('invalid_transition', `${plain(c.displayName)} is disconnected. Connect it again with \`${ctx.cmd(`connect ${c.provider}`)}\`.`);
    }
    const provider = getProvider(c.provider);
    if (isOAuth(c) || !provider.definition.auth.credentials) {
      return await authorizeReply(ctx, provider, { connectionId: c.id, connectionName: c.displayName });
    }
    return credentialsForm(provider, {
      formId: reconnectFormId(c.id),
      title: `Reconnect ${plain(c.displayName)}`,
      submitLabel: 'Reconnect',
      withDisplayName: false,
    });
  },
};

/** `reconnect:<connectionId>` form: new credentials, tested, stored in place. */
export const reconnectForm: FormHandler = {
  prefix: 'reconnect',
  permission: 'connections.reconnect',
  async submit(ctx, connectionId, values) {
    const current = await ctx.connections.get(ctx.caller, connectionId);
    const provider = getProvider(current.provider);
    const { fields } = splitFormValues(provider, values);
    ctx.connections.parseCredentialFields(provider, fields);
    const followUp = (async () => {
      const { connection, account } = await ctx.connections.reconnectWithCredentials(ctx.caller, connectionId, fields);
      const text = `✅ ${mention(ctx.invocation.userId)} reconnected ${bold(plain(connection.displayName))} as ${plain(account.accountName)}.`;
      return inChannel(text, [
        { type: 'section', text },
        { type: 'actions', buttons: connectionButtons(connection) },
      ]);
    })();
    return { immediate: checkingReply(provider.definition.displayName), followUp };
  },
};

export default reconnect;
