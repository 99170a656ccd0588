/**
 * Notion integration webhooks (https://developers.notion.com/reference/webhooks,
 * https://developers.notion.com/reference/webhooks-events-delivery).
 *
 * - A subscription is created by hand in the integration's settings (Webhooks tab), with this
 *   connection's receiving URL. Notion then POSTs once `{ "verification_token": "secret_…" }`,
 *   unsigned; it is answered 200 (the handshake) and nothing is stored, because an unsigned request
 *   cannot prove it came from Notion. The admin pastes the token into Notion's Verify dialog and
 *   stores the same token on the connection (`secretSource: 'admin'`).
 * - Every event is signed: `X-Notion-Signature: sha256=<hex HMAC-SHA256 of the raw body>`, keyed
 *   with that verification token (step 3, "Validating event payloads").
 * - Each event has a unique `id` (UUID), unchanged across Notion's retries (up to 8 attempts,
 *   `attempt_number`): the idempotency key. Its `timestamp` is when the change happened, not when
 *   the delivery was signed (retries and aggregated events arrive much later), so there is no
 *   replay window to check.
 * - Events carry only ids (`entity: { id, type }`); page events concern the `tasks` object (database
 *   pages), everything else (comments, data sources, databases) is acknowledged and ignored.
 */
import { z } from 'zod';
import type { InboundEvent, ProviderWebhooks } from '../../inbound/scheme.ts';
import { hmac, jsonBody, safeEqual } from '../../inbound/verify.ts';

const verificationSchema = z.strictObject({ verification_token: z.string().min(1).max(512) });

const eventSchema = z
  .object({
    id: z.string().min(1).max(100),
    type: z.string().min(1).max(100),
    workspace_id: z.string().max(100).optional(),
    entity: z.object({ id: z.string().max(100), type: z.string().max(50) }).loose().optional(),
  })
  .loose();

/** The unsigned verification request, and nothing else: a JSON body holding only `verification_token`. */
export function isVerificationRequest(req: { headers: Readonly<Record<string, string | undefined>>; rawBody: Buffer }): boolean {
  if (req.headers['x-notion-signature'] || req.rawBody.length > 2048) return false;
  try {
    return verificationSchema.safeParse(jsonBody(req.rawBody)).success;
  } catch {
    return false;
  }
}

export const webhooks: ProviderWebhooks = {
  scheme: {
    routing: 'connection',
    secretSource: 'admin',
    handshake(req) {
      return isVerificationRequest(req) ? { status: 200 } : null;
    },
    verify(req, secret) {
      const header = req.headers['x-notion-signature'] ?? '';
      if (!header.startsWith('sha256=')) return false;
      return safeEqual(header.slice('sha256='.length), hmac('sha256', secret, req.rawBody, 'hex'));
    },
    parse(req): InboundEvent[] {
      const e = eventSchema.parse(jsonBody(req.rawBody));
      const page = e.type.startsWith('page.') && e.entity?.type === 'page';
      return [{ deliveryId: e.id, type: e.type, object: page ? 'tasks' : null, ...(page && e.entity ? { remoteId: e.entity.id } : {}) }];
    },
  },
  setup: [
    'Notion webhooks are set up by hand on the integration: in https://www.notion.so/profile/integrations open the integration → Webhooks → Create a subscription, with the receiving URL shown by `GET /api/v1/connections/{id}/webhooks` (`<PUBLIC_URL>/webhooks/notion/<connection id>`, public HTTPS) and the page events to send (`page.created`, `page.properties_updated`, `page.content_updated`, `page.deleted`, …).',
    'Notion then sends a one-time `verification_token` to that URL. Patchbay answers it but neither keeps nor shows it: the request is unsigned, so anyone could send one. Known limit: the token must be read where it arrives — until Patchbay can show it, create the subscription with a request inspector you control as its URL, copy the token it receives, change the URL to Patchbay\'s (Notion allows that until the subscription is verified) and verify with the token. Then store the same token on the connection (Admin or Owner): `webhook-secret <connection>` in chat, or `PUT /api/v1/connections/{id}/webhook-secret`. Events are refused (401) until it is stored.',
    'A subscription belongs to the whole integration: with a public integration installed in several workspaces, every workspace\'s events go to the one URL, so point it at one connection per integration.',
  ].join(' '),
};
