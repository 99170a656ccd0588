/**
 * Airtable webhooks (https://airtable.com/developers/web/api/webhooks-overview).
 *
 * - A webhook is made per base with `POST /v0/bases/{baseId}/webhooks` (scope `webhook:manage`,
 *   plus `data.records:read` for `tableData`) and a `notificationUrl`; the answer carries `id`
 *   (`ach…`), `expirationTime` (7 days, extended by listing payloads) and `macSecretBase64`, shown
 *   only then. Patchbay does not create webhooks yet: whoever creates it stores that
 *   `macSecretBase64` on the connection (`secretSource: 'admin'`).
 * - A notification is a thin ping, `{"base":{"id":"app…"},"webhook":{"id":"ach…"},"timestamp":"…"}`,
 *   signed with `X-Airtable-Content-MAC: hmac-sha256=<hex HMAC-SHA256 of the raw body>`, keyed with
 *   the base64-decoded `macSecretBase64` ("Webhook notification delivery"). The changes themselves
 *   are read afterwards with `GET /v0/bases/{baseId}/webhooks/{webhookId}/payloads`.
 * - Idempotency: the webhook id and the notification's `timestamp` (a notification sent again
 *   repeats both). The timestamp is signed but Airtable documents no tolerance for it, and it is
 *   when the notification was generated, so no replay window is checked.
 * - Every notification concerns the base's records (`rows`), without a record id.
 */
import { z } from 'zod';
import type { InboundEvent, ProviderWebhooks } from '../../inbound/scheme.ts';
import { hmac, jsonBody, safeEqual } from '../../inbound/verify.ts';

const PREFIX = 'hmac-sha256=';

const notificationSchema = z.object({
  base: z.object({ id: z.string().min(1).max(100) }).loose(),
  webhook: z.object({ id: z.string().min(1).max(100) }).loose(),
  timestamp: z.string().min(1).max(100),
});

export const webhooks: ProviderWebhooks = {
  scheme: {
    routing: 'connection',
    secretSource: 'admin',
    verify(req, secret) {
      const header = req.headers['x-airtable-content-mac'] ?? '';
      const key = Buffer.from(secret, 'base64');
      if (!header.startsWith(PREFIX) || !key.length) return false;
      return safeEqual(header.slice(PREFIX.length), hmac('sha256', key, req.rawBody, 'hex'));
    },
    parse(req): InboundEvent[] {
      const n = notificationSchema.parse(jsonBody(req.rawBody));
      return [{ deliveryId: `${n.webhook.id}:${n.timestamp}`, type: 'webhook.notification', object: 'rows' }];
    },
  },
  setup: [
    'Airtable webhooks are created per base through Airtable\'s API (Patchbay does not create them yet): `POST https://api.airtable.com/v0/bases/{baseId}/webhooks` with a personal access token holding `webhook:manage` and `data.records:read`, the body `{"notificationUrl": "<receiving URL>", "specification": {"options": {"filters": {"dataTypes": ["tableData"]}}}}`, where the receiving URL is the one shown by `GET /api/v1/connections/{id}/webhooks` (`<PUBLIC_URL>/webhooks/airtable/<connection id>`, public HTTPS).',
    'Airtable answers once with `macSecretBase64`: store it, exactly as given, on the connection (Admin or Owner): `webhook-secret <connection>` in chat, or `PUT /api/v1/connections/{id}/webhook-secret`. Notifications are refused (401) until it is stored.',
    'A webhook expires 7 days after it was created or its payloads were last listed: refresh it with `POST /v0/bases/{baseId}/webhooks/{webhookId}/refresh`.',
  ].join(' '),
};
