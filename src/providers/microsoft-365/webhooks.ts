/**
 * Microsoft 365 change notifications (Graph subscriptions; the scheme is shared: ../_shared/microsoft.ts).
 *
 * - A realtime events rule subscribes to `me/events`, a messages rule to
 *   `me/mailFolders('inbox')/messages` (`POST /v1.0/subscriptions`, changeType
 *   `created,updated,deleted`, covered by `Calendars.ReadWrite` / `Mail.Read`).
 * - Lifetime: Outlook resources allowed 4,230 minutes (under three days) when Graph subscriptions
 *   shipped; Patchbay asks for 4,200 minutes, which is inside that and the later, longer maximum,
 *   and renews a day before expiry with `PATCH /v1.0/subscriptions/{id}` (a new expirationDateTime;
 *   a subscription already gone is created anew). Disconnecting deletes them
 *   (`DELETE /v1.0/subscriptions/{id}`).
 * - Notification `resource` is `Users/{user id}/Events/{event id}` or `Users/{user id}/Messages/{message id}`
 *   (the casing varies): the last segment is the record id (also in `resourceData.id`).
 * https://learn.microsoft.com/graph/api/resources/subscription#subscription-lifetime,
 * https://learn.microsoft.com/graph/outlook-change-notifications-overview
 */
import { graphWebhooks } from '../_shared/microsoft.ts';

export const SUBSCRIPTION_TTL_MINUTES = 4_200;
export const RENEW_BEFORE_SECONDS = 86_400;

export const webhooks = graphWebhooks({
  resourceFor: { events: 'me/events', messages: "me/mailFolders('inbox')/messages" },
  objectOf(resource) {
    const m = /(?:^|\/)(events|messages)(?:\/|\(')[^/]+$/i.exec(resource);
    return m ? (m[1]!.toLowerCase() as 'events' | 'messages') : null;
  },
  changeType: 'created,updated,deleted',
  ttlMinutes: SUBSCRIPTION_TTL_MINUTES,
  renewBeforeSeconds: RENEW_BEFORE_SECONDS,
  setup:
    "A realtime events rule subscribes to the user's calendar (`me/events`), a messages rule to the inbox (`me/mailFolders('inbox')/messages`) with `POST /v1.0/subscriptions` — no scope beyond the object's (`Calendars.ReadWrite`, `Mail.Read`). Graph first checks the URL (it POSTs `?validationToken=…`, Patchbay echoes it as text/plain), then every notification carries the clientState Patchbay set, which must match. Subscriptions last about three days and are extended a day before (`PATCH /v1.0/subscriptions/{id}`); disconnecting deletes them. Graph sends only to HTTPS: PUBLIC_URL must be the public https URL of Patchbay. Realtime rules still poll to reconcile.",
});
