/**
 * Jira Cloud admin webhooks.
 *
 * https://developer.atlassian.com/cloud/jira/platform/webhooks/#secure-admin-webhooks — a webhook a
 * Jira admin registers (System → WebHooks, or `POST /rest/webhooks/1.0/webhook`) with a secret is
 * signed in `X-Hub-Signature` using the WebSub format `method=signature`: `sha256=<hex HMAC-SHA256
 * of the raw body>`. Webhooks registered by OAuth apps (`POST /rest/api/3/webhook`) carry no such
 * secret, which is why Patchbay takes the admin kind: Jira generates the secret (or the admin types
 * one) and an Admin stores it on the connection (`PUT /api/v1/connections/{id}/webhook-secret`).
 * Every delivery carries `X-Atlassian-Webhook-Identifier`, unchanged across retries (the
 * idempotency key); the body's `webhookEvent` names the event (`jira:issue_updated`).
 */
import { z } from 'zod';
import type { InboundEvent, ProviderWebhooks } from '../../inbound/scheme.ts';
import { bodyDigest, hmac, jsonBody, safeEqual } from '../../inbound/verify.ts';

const bodySchema = z.object({
  webhookEvent: z.string().max(200),
  issue: z.object({ id: z.union([z.string(), z.number()]) }).loose().optional(),
});

const ISSUE_EVENTS = new Set(['jira:issue_created', 'jira:issue_updated', 'jira:issue_deleted']);

export const webhooks: ProviderWebhooks = {
  scheme: {
    routing: 'connection',
    secretSource: 'admin',
    verify(req, secret) {
      const header = req.headers['x-hub-signature'] ?? '';
      const eq = header.indexOf('=');
      if (eq < 0 || header.slice(0, eq).toLowerCase() !== 'sha256') return false;
      return safeEqual(header.slice(eq + 1), hmac('sha256', secret, req.rawBody, 'hex'));
    },
    parse(req): InboundEvent[] {
      const e = bodySchema.parse(jsonBody(req.rawBody));
      const deliveryId = req.headers['x-atlassian-webhook-identifier'] || bodyDigest(req.rawBody);
      if (ISSUE_EVENTS.has(e.webhookEvent) && e.issue) return [{ deliveryId, type: e.webhookEvent, object: 'issues', remoteId: String(e.issue.id) }];
      return [{ deliveryId, type: e.webhookEvent, object: null }];
    },
  },
  setup:
    'Jira signs only the webhooks a Jira admin creates, so this one is set up by hand: in Jira open Settings → System → WebHooks → Create a WebHook; URL: the receiving URL shown by `GET /api/v1/connections/{id}/webhooks` (`<PUBLIC_URL>/webhooks/jira/<connection id>`); events: Issue created, updated and deleted (optionally a JQL filter such as `project = ABC`); Secret: generate one (or type your own) and copy it. Then store that secret on the connection (Admin or Owner): in chat with `webhook-secret <connection>` (a private form), or with `PUT /api/v1/connections/{id}/webhook-secret`. Deliveries are refused (401) until the secret is stored.',
};
