import { bold, code, inChannel, plain } from '../../commands/view.ts';
import { answerText, hostOf, plural, WEBHOOK_STATUS_EMOJI, webhookButtons } from '../../commands/webhook-cards.ts';
import { defineRenderer } from './types.ts';

/**
 * An outbound webhook endpoint stopped (paused after failing too often or by an admin, or
 * disabled by a 410 Gone) or was enabled again. Endpoints belong to the workspace, not to a
 * connection: channels subscribed to `webhooks` for every connection hear of them, one message
 * per event (a paused endpoint makes no attempts, so it is not paused again until it was enabled).
 * The stop says why (the last answer, the failures in a row), what was kept, and offers Enable.
 */
const webhooks = defineRenderer({
  name: 'webhooks',
  types: ['webhook_paused', 'webhook_disabled', 'webhook_enabled'],
  match: () => ({ notifies: 'webhooks', connectionId: null }),
  render({ event }) {
    const w = event.snapshot;
    // Names and reasons are typed by admins or quote a receiver: shown literally.
    const name = bold(plain(w.name));
    if (event.type === 'webhook_enabled') {
      const n = event.data.pendingDeliveries;
      return inChannel(`▶️ Webhook ${name} is enabled again (it was ${event.data.previousStatus})${n ? `: its ${plural(n, 'kept delivery goes', 'kept deliveries go')} out now, oldest first.` : '.'}`);
    }
    const d = event.data;
    const last = d.lastStatusCode !== null ? answerText(d.lastStatusCode) : d.lastError ? plain(d.lastError) : null;
    const why = [last ? `Last answer: ${last}` : null, w.consecutiveFailures ? `${plural(w.consecutiveFailures, 'failure', 'failures')} in a row` : null].filter(Boolean).join(' · ');
    const stopped = event.type === 'webhook_paused' ? 'is paused' : 'is disabled';
    const head = `${WEBHOOK_STATUS_EMOJI[w.status]} Webhook ${name} ${stopped}: ${plain(d.reason)}.`;
    const kept =
      event.type === 'webhook_paused'
        ? d.pendingDeliveries
          ? `${plural(d.pendingDeliveries, 'delivery is', 'deliveries are')} kept, and new events are kept too: Enable sends them, oldest first.`
          : 'Nothing is waiting; new events are kept until it is enabled, then sent oldest first.'
        : 'The receiver said it is gone for good, so its pending deliveries were given up and new events are not kept. Only Enable revives it.';
    const lines = [head, ...(why ? [`${why}.`] : []), kept];
    return inChannel(lines.join(' '), [
      { type: 'section', text: lines.join('\n') },
      { type: 'context', text: `Posts to ${plain(hostOf(w.url))} · correlation id ${code(event.traceId)}` },
      { type: 'actions', buttons: webhookButtons(w) },
    ]);
  },
});

export default webhooks;
