/**
 * ClickUp webhooks (https://developer.clickup.com/docs/webhooks,
 * https://developer.clickup.com/docs/webhooksignature).
 *
 * - A webhook is created through the API, `POST /api/v2/team/{team_id}/webhook` with `endpoint` and
 *   `events` (optionally one space, folder, list or task); the answer carries `webhook.secret`,
 *   shown only then. ClickUp has no screen for webhooks. Patchbay does not create them (there is no
 *   tasks adapter, so no realtime rule to create one for): an Admin creates it with the
 *   connection's receiving URL and stores the secret on the connection (`secretSource: 'admin'`).
 * - Every delivery is signed: `X-Signature` = hex HMAC-SHA256 of the raw body, keyed with that secret.
 * - The body names its webhook (`webhook_id`), the `event` (`taskUpdated`, …), the `task_id` and —
 *   for changes — `history_items`, each with its own `id`. The idempotency key is the webhook id
 *   plus the history item ids; a delivery without history items (`taskDeleted`) is keyed by a
 *   digest of its body, so a retry (the same bytes) is still one effect.
 * - No timestamp is signed (the body's history `date`s are when the change happened), so there is
 *   no replay window to check.
 */
import { z } from 'zod';
import type { InboundEvent, ProviderWebhooks } from '../../inbound/scheme.ts';
import { bodyDigest, hmac, jsonBody, safeEqual } from '../../inbound/verify.ts';

const bodySchema = z
  .object({
    webhook_id: z.string().min(1).max(100),
    event: z.string().min(1).max(100),
    task_id: z.string().max(100).nullish(),
    history_items: z.array(z.object({ id: z.union([z.string(), z.number()]) }).loose()).max(1000).optional(),
  })
  .loose();

export const webhooks: ProviderWebhooks = {
  scheme: {
    routing: 'connection',
    secretSource: 'admin',
    verify(req, secret) {
      const sig = req.headers['x-signature'] ?? '';
      return Boolean(sig) && safeEqual(sig.toLowerCase(), hmac('sha256', secret, req.rawBody, 'hex'));
    },
    parse(req): InboundEvent[] {
      const e = bodySchema.parse(jsonBody(req.rawBody));
      const items = e.history_items ?? [];
      const deliveryId = items.length ? `${e.webhook_id}:${items.map((i) => String(i.id)).join(',')}`.slice(0, 500) : `${e.webhook_id}:${bodyDigest(req.rawBody)}`;
      const task = e.event.startsWith('task') && e.task_id ? e.task_id : null;
      return [{ deliveryId, type: e.event, object: task ? 'tasks' : null, ...(task ? { remoteId: task } : {}) }];
    },
  },
  setup: [
    'ClickUp webhooks are created through its API (ClickUp has no screen for them), once per connection, by someone with access to the Workspace:',
    '`curl -X POST https://api.clickup.com/api/v2/team/<workspace id>/webhook -H "Authorization: <token>" -H "Content-Type: application/json" -d \'{"endpoint":"<receiving URL>","events":["taskCreated","taskUpdated","taskDeleted","taskStatusUpdated","taskMoved"]}\'`',
    '(optionally with one `space_id`, `folder_id`, `list_id` or `task_id`), where the receiving URL is shown by `GET /api/v1/connections/{id}/webhooks` (`<PUBLIC_URL>/webhooks/clickup/<connection id>`, public HTTPS) and the Workspace id by `GET https://api.clickup.com/api/v2/team`.',
    'The answer holds `webhook.secret`, shown only once: store it on the connection (Admin or Owner) with `webhook-secret <connection>` in chat or `PUT /api/v1/connections/{id}/webhook-secret`. Deliveries are refused (401) until it is stored. Task events concern the `tasks` object; others are acknowledged and ignored.',
  ].join(' '),
};
