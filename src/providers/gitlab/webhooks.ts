/**
 * GitLab project (or group) webhooks.
 *
 * https://docs.gitlab.com/user/project/integrations/webhooks/#create-a-webhook — a webhook may
 * carry a secret token, sent back unchanged in `X-Gitlab-Token` on every delivery: it is compared
 * here in constant time. (The newer signing token, Standard Webhooks `webhook-signature`, is not
 * used: the secret token works on every GitLab version Patchbay supports.)
 * https://docs.gitlab.com/user/project/integrations/webhook_events/ and the delivery headers:
 * `X-Gitlab-Event` (`Issue Hook`), `Idempotency-Key` (GitLab 17.4+, kept when a delivery is sent
 * again: the idempotency key), `X-Gitlab-Event-UUID` (per event; the key on older versions);
 * the body's `object_kind` (`issue`) and `object_attributes` (`id`, `iid`, `action`).
 *
 * The token is typed by whoever creates the hook in GitLab, so an Admin stores the same value on
 * the connection (`secretSource: 'admin'`); Patchbay does not register hooks through the API.
 */
import { z } from 'zod';
import type { InboundEvent, ProviderWebhooks } from '../../inbound/scheme.ts';
import { bodyDigest, jsonBody, safeEqual } from '../../inbound/verify.ts';

const bodySchema = z.object({
  object_kind: z.string().max(100),
  event_type: z.string().max(100).optional(),
  object_attributes: z.object({ id: z.union([z.number(), z.string()]).optional(), action: z.string().max(100).optional() }).loose().optional(),
});

export const webhooks: ProviderWebhooks = {
  scheme: {
    routing: 'connection',
    secretSource: 'admin',
    verify(req, secret) {
      const token = req.headers['x-gitlab-token'] ?? '';
      return token !== '' && safeEqual(token, secret);
    },
    parse(req): InboundEvent[] {
      const e = bodySchema.parse(jsonBody(req.rawBody));
      const deliveryId = req.headers['idempotency-key'] || req.headers['x-gitlab-event-uuid'] || bodyDigest(req.rawBody);
      const action = e.object_attributes?.action;
      const type = action ? `${e.object_kind}.${action}` : e.object_kind;
      // Issues only (`work_item` events of issues are `object_kind: issue` too); everything else is acknowledged and ignored.
      if (e.object_kind === 'issue' && e.object_attributes?.id !== undefined) return [{ deliveryId, type, object: 'issues', remoteId: String(e.object_attributes.id) }];
      return [{ deliveryId, type, object: null }];
    },
  },
  setup:
    "GitLab webhooks are set up by hand: in the project (or group) open Settings → Webhooks → Add new webhook; URL: the receiving URL shown by `GET /api/v1/connections/{id}/webhooks` (`<PUBLIC_URL>/webhooks/gitlab/<connection id>`); Secret token: a long random value you make up; Trigger: Issues events; SSL verification on. Then store the same secret token on the connection (Admin or Owner): in chat with `webhook-secret <connection>`, or with `PUT /api/v1/connections/{id}/webhook-secret`. Deliveries without it are refused (401). GitLab's token carries no timestamp: keep PUBLIC_URL on https so it cannot be read in transit.",
};
