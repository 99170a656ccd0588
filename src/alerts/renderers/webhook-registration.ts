import { connectionTitle } from '../../commands/cards.ts';
import { bold, commandButton, inChannel, plain } from '../../commands/view.ts';
import { defineRenderer } from './types.ts';

/**
 * A realtime rule's webhook could not be registered: what, why (the provider's words, inert),
 * that the rule polls meanwhile, and where to look. An `errors` notice for the connection's
 * channels, once per registration that starts failing (retries stay quiet).
 */
const webhookRegistration = defineRenderer({
  name: 'connection_webhook_failed',
  types: ['connection_webhook_failed'],
  match: (event) => ({ notifies: 'errors', connectionId: event.entityId }),
  render({ event, connection: c }) {
    const name = c?.displayName ?? event.entityId;
    const text = `⚠️ ${bold(plain(name))}: realtime webhooks could not be registered for ${plain(event.data.resource)}: ${plain(event.data.reason)}`;
    const after = 'Its realtime rules poll every 5 minutes meanwhile; Patchbay retries the registration.';
    return inChannel(`${text}. ${after}`, [
      { type: 'section', text: c ? `${text}\n${connectionTitle(c)}` : text },
      { type: 'context', text: after },
      ...(c ? [{ type: 'actions' as const, buttons: [commandButton('Status', 'status', [c.id]), commandButton('Log', 'log', [c.id])] }] : []),
    ]);
  },
});

export default webhookRegistration;
