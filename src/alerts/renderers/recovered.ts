import { bold, inChannel } from '../../commands/view.ts';
import type { AlertRenderer } from './types.ts';

/** A connection that was alerted about is healthy again: a short follow-up in the alert's thread. */
const recovered: AlertRenderer = {
  name: 'recovered',
  types: ['connection_connected', 'connection_resumed'],
  match: (event) => ((event.snapshot as { status?: string }).status === 'connected' ? { recovers: true } : null),
  render({ event, connection: c, closes }) {
    const name = bold(c?.displayName ?? event.entityId);
    const account = c?.account?.name ? ` as ${c.account.name}` : '';
    const text =
      closes === 'paused'
        ? `▶️ ${name} resumed${event.data?.previousPausedBy === 'rate_limit' && !event.actorMemberId ? ' after the rate-limit window' : ''}.`
        : `✅ ${name} recovered: connected again${account}.`;
    return inChannel(text);
  },
};

export default recovered;
