import { connectionTitle } from '../../commands/cards.ts';
import { bold, code, commandButton, inChannel, plain } from '../../commands/view.ts';
import { defineRenderer } from './types.ts';

/** A connection errored: why, the correlation id, and the fix (Reconnect for OAuth, Test for typed credentials). */
const errored = defineRenderer({
  name: 'connection_errored',
  types: ['connection_errored'],
  match: () => ({ opens: 'errored', kind: 'errors' }),
  render({ event, connection: c }) {
    const name = c?.displayName ?? event.entityId;
    // The provider's words: shown literally.
    const reason = plain(event.data.reason || c?.statusReason || 'no reason given');
    const text = `❌ ${bold(plain(name))} errored: ${reason}`;
    const buttons = c
      ? [
          c.authKind === 'oauth2'
            ? commandButton('Reconnect', 'reconnect', [c.id], { style: 'primary' })
            : commandButton('Test', 'test', [c.id], { style: 'primary' }),
          commandButton('Log', 'log', [c.id]),
        ]
      : [];
    return inChannel(`${text} (correlation id ${event.traceId})`, [
      { type: 'section', text: c ? `${text}\n${connectionTitle(c)}` : text },
      { type: 'context', text: `Correlation id: ${code(event.traceId)}` },
      ...(buttons.length ? [{ type: 'actions' as const, buttons }] : []),
    ]);
  },
});

export default errored;
