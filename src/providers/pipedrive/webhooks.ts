/**
 * Pipedrive webhooks (v2).
 *
 * https://pipedrive.readme.io/docs/guide-for-webhooks-v2 — Pipedrive does not sign deliveries. A
 * webhook may carry HTTP Basic credentials (`http_auth_user` / `http_auth_password`, set in the
 * Pipedrive UI or on `POST /v1/webhooks`), which Pipedrive sends as `Authorization: Basic
 * base64(user:password)` on every delivery, to an HTTPS URL only. Patchbay verifies those
 * credentials: the Admin stores `user:password` as the connection's webhook secret, and the header's
 * decoded pair is compared with it in constant time. The body itself is not covered by anything:
 * whoever knows the credentials can send any body, which is why the apply job re-reads the record
 * from Pipedrive's API instead of trusting the payload.
 *
 * Registration through the API needs the `admin` scope (Pipedrive's description puts every
 * `/v1/webhooks` operation under it), more than Patchbay asks for, so the webhook is created by hand.
 *
 * v2 body: `{ meta: { id, action, entity, entity_id, version: '2.0', attempt, … }, data, previous }`.
 * `meta.id` identifies the event and is unchanged when Pipedrive retries it (`attempt` grows): the
 * idempotency key. `entity` `person` is a contact, `deal` a deal; other entities are acknowledged.
 */
import { z } from 'zod';
import type { InboundEvent, ProviderWebhooks } from '../../inbound/scheme.ts';
import { jsonBody, safeEqual } from '../../inbound/verify.ts';
import type { ObjectName } from '../types.ts';

const id = z.union([z.string().min(1).max(200), z.number().int()]);
const bodySchema = z.object({
  meta: z
    .object({
      id,
      action: z.string().min(1).max(50),
      entity: z.string().min(1).max(100),
      entity_id: id.nullish(),
      version: z.literal('2.0'),
    })
    .loose(),
});

const OBJECTS: Record<string, ObjectName> = { person: 'contacts', deal: 'deals' };

/** The `user:password` pair of an `Authorization: Basic …` header; null when there is none. */
export function basicCredentials(header: string | undefined): string | null {
  const m = /^Basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(header ?? '');
  if (!m) return null;
  const pair = Buffer.from(m[1]!, 'base64').toString('utf8');
  return pair.includes(':') ? pair : null;
}

export const webhooks: ProviderWebhooks = {
  scheme: {
    routing: 'connection',
    secretSource: 'admin',
    verify(req, secret) {
      const pair = basicCredentials(req.headers.authorization);
      return pair !== null && safeEqual(pair, secret);
    },
    parse(req): InboundEvent[] {
      const { meta } = bodySchema.parse(jsonBody(req.rawBody));
      const object = OBJECTS[meta.entity] ?? null;
      return [
        {
          deliveryId: String(meta.id),
          type: `${meta.action}.${meta.entity}`,
          object,
          ...(object && meta.entity_id != null ? { remoteId: String(meta.entity_id) } : {}),
        },
      ];
    },
  },
  setup:
    'Pipedrive does not sign webhooks; it sends HTTP Basic credentials you set on the webhook, and Patchbay checks them. In Pipedrive open Settings → Tools and apps → Webhooks → Create new webhook; Version: 2.0; Event action and object: e.g. `*` on `person` and `*` on `deal` (one webhook each); Endpoint URL: the receiving URL shown by `GET /api/v1/connections/{id}/webhooks` (`<PUBLIC_URL>/webhooks/pipedrive/<connection id>`, HTTPS — Pipedrive refuses plain HTTP); HTTP Auth: a user name and a long random password. Then store `username:password` (the two joined by a colon) as the connection\'s webhook secret (Admin or Owner): in chat with `webhook-secret <connection>`, or with `PUT /api/v1/connections/{id}/webhook-secret`. Deliveries are refused (401) until it is stored. (Creating webhooks through the API would need Pipedrive\'s `admin` scope, which Patchbay does not request.)',
};
