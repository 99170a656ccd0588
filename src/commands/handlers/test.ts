import { AppError } from '../../errors.ts';
import { connectionButtons } from '../cards.ts';
import { resolveConnection } from '../resolve.ts';
import type { Command } from '../types.ts';
import { bold, ephemeral, formatWhen, inChannel, mention, plain, type Block } from '../view.ts';
import { CONNECTION } from '../grammar.ts';

const test: Command = {
  name: 'test',
  usage: 'test <connection>',
  grammar: { params: [CONNECTION] },
  examples: ['test hubspot', 'test "Linear Eng"'],
  summary: 'Checks that the provider still accepts the connection (a passing test recovers an errored one)',
  permission: 'connections.test',
  async run(ctx, line) {
    const c = await resolveConnection(ctx, line.args.join(' ') || undefined);
    if (c.status === 'disconnected') {
      throw new AppError('invalid_transition', `${plain(c.displayName)} is disconnected. Connect it again with \`${ctx.cmd(`connect ${c.provider}`)}\`.`);
    }
    const who = mention(ctx.invocation.userId);
    // The provider may take seconds: acknowledge now, answer when it has.
    const followUp = (async () => {
      const r = await ctx.connections.test(ctx.caller, c.id);
      const name = bold(plain(r.connection.displayName));
      let text: string;
      if (r.ok) {
        text = `✅ ${who} tested ${name}: passed in ${r.latencyMs} ms${r.account ? `, connected as ${plain(r.account.name)}` : ''}.`;
        if (c.status === 'errored' && r.connection.status === 'connected') text += ' It has recovered.';
      } else {
        text = `❌ ${who} tested ${name}: failed in ${r.latencyMs} ms — ${r.error ? plain(r.error.message) : 'unknown error'}`;
        if (r.connection.status === 'paused' && r.connection.pausedBy === 'rate_limit' && r.connection.pausedUntil) {
          text += ` Paused by the rate limit; resumes ${formatWhen(r.connection.pausedUntil)}.`;
        } else if (r.connection.status === 'errored') {
          text += ' Reconnect it to fix the credentials.';
        }
      }
      const blocks: Block[] = [{ type: 'section', text }];
      const buttons = connectionButtons(r.connection);
      if (buttons.length) blocks.push({ type: 'actions', buttons });
      return inChannel(text, blocks);
    })();
    return { immediate: ephemeral(`⏳ Testing ${bold(plain(c.displayName))}…`), followUp };
  },
};

export default test;
