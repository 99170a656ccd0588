import { bold, commandButton, formatWhen, inChannel, plain } from '../../commands/view.ts';
import { defineRenderer } from './types.ts';

/** The provider's rate limit paused a connection: why, when it resumes by itself, and a Resume button. */
const rateLimitPaused = defineRenderer({
  name: 'rate_limit_paused',
  types: ['connection_paused'],
  match: (event) => (event.data.pausedBy === 'rate_limit' ? { opens: 'paused', kind: 'pauses' } : null),
  render({ event, connection: c }) {
    const name = c?.displayName ?? event.entityId;
    const until = event.data.pausedUntil ?? c?.pausedUntil ?? null;
    // The provider's words: shown literally.
    const reason = plain(event.data.reason || c?.statusReason || 'rate limited by the provider');
    const text = `⏸ ${bold(plain(name))} is paused: ${reason}. It resumes by itself ${until ? formatWhen(until) : 'when the provider allows'}.`;
    return inChannel(text, [
      { type: 'section', text },
      { type: 'context', text: 'Resuming early is allowed, but the provider may limit calls again until its window ends.' },
      ...(c ? [{ type: 'actions' as const, buttons: [commandButton('Resume now', 'resume', [c.id]), commandButton('Log', 'log', [c.id])] }] : []),
    ]);
  },
});

export default rateLimitPaused;
