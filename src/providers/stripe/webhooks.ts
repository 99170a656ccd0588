/**
 * Stripe webhooks (an endpoint in Developers → Webhooks / Event destinations).
 *
 * https://docs.stripe.com/webhooks#verify-events and #verify-manually — `Stripe-Signature:
 * t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, keyed with the endpoint's signing
 * secret (`whsec_…`). While a secret is being rolled Stripe signs with both and sends several `v1`
 * entries: any one matching is enough. `v0` (test-mode legacy scheme) is ignored. A timestamp more
 * than 5 minutes from now is refused (the SDKs' default tolerance), so a captured delivery cannot be
 * replayed later. https://docs.stripe.com/webhooks#handle-duplicate-events — Stripe may send an
 * event more than once; the event `id` (`evt_…`) is the idempotency key. The body is the Event
 * (snapshot payload): `type` (`customer.updated`) and `data.object` with its `object` and `id`.
 *
 * The signing secret is Stripe's, shown once per endpoint: an Admin stores it on the connection
 * (`secretSource: 'admin'`, as for Jira). Patchbay does not create endpoints through the API.
 */
import { z } from 'zod';
import type { InboundEvent, ProviderWebhooks } from '../../inbound/scheme.ts';
import { freshMs, hmac, jsonBody, safeEqual } from '../../inbound/verify.ts';

const eventSchema = z.object({
  id: z.string().min(1).max(255),
  type: z.string().max(200),
  data: z.object({ object: z.object({ id: z.string().max(255).optional(), object: z.string().max(100).optional() }).loose() }).loose(),
});

/** The `t` and every `v1` of a `Stripe-Signature` header; null when either is missing. */
export function parseStripeSignature(header: string): { t: number; v1: string[] } | null {
  let t: number | undefined;
  const v1: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) t = Number(value);
    else if (key === 'v1' && value) v1.push(value);
  }
  return t !== undefined && v1.length ? { t, v1 } : null;
}

export const webhooks: ProviderWebhooks = {
  scheme: {
    routing: 'connection',
    secretSource: 'admin',
    verify(req, secret) {
      const sig = parseStripeSignature(req.headers['stripe-signature'] ?? '');
      if (!sig || !freshMs(sig.t * 1000, req.receivedAt)) return false;
      const expected = hmac('sha256', secret, [`${sig.t}.`, req.rawBody], 'hex');
      // Every entry compared (no early exit), in constant time each.
      return sig.v1.map((v) => safeEqual(v, expected)).some(Boolean);
    },
    parse(req): InboundEvent[] {
      const e = eventSchema.parse(jsonBody(req.rawBody));
      const obj = e.data.object;
      // Customers only (`customer.created/updated/deleted`); subscriptions, invoices and the rest are acknowledged and ignored.
      if (obj.object === 'customer' && obj.id) return [{ deliveryId: e.id, type: e.type, object: 'customers', remoteId: obj.id }];
      return [{ deliveryId: e.id, type: e.type, object: null }];
    },
  },
  setup:
    "Stripe's endpoints are set up by hand: in the Stripe Dashboard open Developers → Webhooks → Add endpoint (an event destination of the account); URL: the receiving URL shown by `GET /api/v1/connections/{id}/webhooks` (`<PUBLIC_URL>/webhooks/stripe/<connection id>`); events: `customer.created`, `customer.updated`, `customer.deleted` (others are acknowledged and ignored); payload style: snapshot. Then reveal the endpoint's signing secret (`whsec_…`) and store it on the connection (Admin or Owner): in chat with `webhook-secret <connection>`, or with `PUT /api/v1/connections/{id}/webhook-secret`. Deliveries are refused (401) until it is stored; when you roll the secret, store the new one (Stripe signs with both while the old one lasts). Test-mode and live-mode endpoints have different secrets: use the one matching the connection's key.",
};
