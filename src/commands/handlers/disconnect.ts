import { AppError } from '../../errors.ts';
import { getProvider } from '../../providers/registry.ts';
import { confirmedDisconnectButton } from '../cards.ts';
import { resolveConnection } from '../resolve.ts';
import type { Command } from '../types.ts';
import { bold, ephemeral, inChannel, mention, plain, type NeutralReply } from '../view.ts';
import { CONNECTION } from '../grammar.ts';

const disconnect: Command = {
  name: 'disconnect',
  usage: 'disconnect <connection>',
  grammar: { params: [CONNECTION] },
  examples: ['disconnect hubspot', 'disconnect "Linear Eng"'],
  summary: 'Disconnects a connection after a confirmation: revokes access where the provider allows and deletes the credentials',
  permission: 'connections.disconnect',
  async run(ctx, line) {
    const c = await resolveConnection(ctx, line.args.join(' ') || undefined);
    if (c.status === 'disconnected') throw new AppError('invalid_transition', `${plain(c.displayName)} is already disconnected.`);
    const provider = getProvider(c.provider);
    const d = provider.definition;
    const note = provider.connector.revoke
      ? `Access is revoked at ${d.displayName} where it allows.${d.revokeNote ? ` ${d.revokeNote}` : ''}`
      : (d.revokeNote ?? `${d.displayName} has no revoke call: remove Patchbay's access in ${d.displayName} too.`);
    if (!line.flags.has('confirmed')) {
      // Step one: only a card with a danger button; the click (after the platform's dialog) runs `--confirmed`.
      const text = `Disconnect ${bold(plain(c.displayName))}? Patchbay deletes its stored credentials and stops its syncs; history and logs are kept. ${note}`;
      return ephemeral(text, [
        { type: 'section', text: `⚠️ ${text}` },
        { type: 'actions', buttons: [confirmedDisconnectButton(c, note)] },
      ]);
    }
    const who = mention(ctx.invocation.userId);
    const run = async (): Promise<NeutralReply> => {
      const r = await ctx.connections.disconnect(ctx.caller, c.id);
      const icon = r.revoke === 'failed' ? '⚠️' : '⚪';
      // The note can quote the provider's answer to a failed revoke.
      const text = `${icon} ${who} disconnected ${bold(plain(r.connection.displayName))}. ${plain(r.note)}`;
      // Clicked on the confirmation card: that card is done, the result replaces it.
      return { ...inChannel(text), replaceOriginal: Boolean(ctx.invocation.messageRef) };
    };
    // Revoking calls the provider: acknowledge first.
    if (provider.connector.revoke) return { immediate: ephemeral(`⏳ Disconnecting ${bold(plain(c.displayName))}…`), followUp: run() };
    return await run();
  },
};

export default disconnect;
