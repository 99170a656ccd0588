import { bold, inChannel, plain } from '../../commands/view.ts';
import { defineRenderer } from './types.ts';

/** A connection that was alerted about is healthy again: a short follow-up in the alert's thread. */
const recovered = defineRenderer({
  name: 'recovered',
  types: ['connection_connected', 'connection_resumed'],
  match: (event) => (event.snapshot.status === 'connected' ? { recovers: true } : null),
  render({ event, connection: c, closes }) {
    const name = bold(plain(c?.displayName ?? event.entityId));
    const account = c?.account?.name ? ` as ${plain(c.account.name)}` : '';
    const afterWindow = event.type === 'connection_resumed' && event.data.previousPausedBy === 'rate_limit' && !event.actorMemberId;
    const text = closes === 'paused' ? `▶️ ${name} resumed${afterWindow ? ' after the rate-limit window' : ''}.` : `✅ ${name} recovered: connected again${account}.`;
    return inChannel(text);
  },
});

export default recovered;
