/**
 * HubSpot webhooks: configured once on the HubSpot app, not per account — every portal that installs
 * the app sends its events to the one Target URL, `{PUBLIC_URL}/webhooks/hubspot`, so events are
 * routed by `portalId` to the connections whose account (the introspected `hub_id`) it is.
 * https://developers.hubspot.com/docs/api/webhooks (app-level subscriptions, batches of up to 100
 * events, `crm.objects.contacts.read` required before any subscription),
 * https://developers.hubspot.com/changelog/public-beta-generic-webhook-subscriptions (`object.*`
 * types carry `objectTypeId`, `0-1` for contacts).
 *
 * Signature v3 (https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/request-validation,
 * "Validate the v3 request signature"): `X-HubSpot-Signature-v3` = base64(HMAC-SHA256(app client
 * secret, method + URI + body + `X-HubSpot-Request-Timestamp`)), the timestamp in milliseconds and
 * refused when older than 5 minutes. In the URI the characters `: / ? @ ! $ ' ( ) * , ;` are
 * compared decoded (HubSpot signs them decoded); the URI is the full URL HubSpot called, which is
 * PUBLIC_URL + the path, so PUBLIC_URL must be exactly the scheme and host configured at HubSpot.
 *
 * Idempotency: per event, `portalId:eventId` (a batch carries many; a retried batch repeats them).
 */
import { z } from 'zod';
import type { InboundEvent, ProviderWebhooks } from '../../inbound/scheme.ts';
import { freshMs, hmac, jsonBody, safeEqual } from '../../inbound/verify.ts';

/** Decoded before signing, per HubSpot's table (the query's own `?` is never encoded). */
const DECODED: Record<string, string> = { '3a': ':', '2f': '/', '3f': '?', '40': '@', '21': '!', '24': '$', '27': "'", '28': '(', '29': ')', '2a': '*', '2c': ',', '3b': ';' };

/** The request URI as HubSpot signs it. */
export function signedUri(url: string): string {
  return url.replace(/%(3a|2f|3f|40|21|24|27|28|29|2a|2c|3b)/gi, (_, hex: string) => DECODED[hex.toLowerCase()]!);
}

const id = z.union([z.number().int(), z.string().min(1).max(100)]);
const eventSchema = z
  .object({
    eventId: id,
    portalId: id,
    subscriptionType: z.string().min(1).max(100),
    objectId: id.optional(),
    objectTypeId: z.string().max(50).optional(),
  })
  .loose();
/** HubSpot sends at most 100 per request; a little slack, never an unbounded array. */
const bodySchema = z.array(eventSchema).max(1_000);

/** HubSpot's object type id of contacts (generic `object.*` subscriptions). */
const CONTACT_TYPE_ID = '0-1';

/** The definition's object an event changes: contacts only (deals have no adapter yet). */
function objectOf(e: z.infer<typeof eventSchema>): 'contacts' | null {
  if (e.subscriptionType.startsWith('contact.')) return 'contacts';
  if (e.subscriptionType.startsWith('object.') && e.objectTypeId === CONTACT_TYPE_ID) return 'contacts';
  return null;
}

export const webhooks: ProviderWebhooks = {
  scheme: {
    routing: 'app',
    secretSource: 'app',
    verify(req, secret) {
      const signature = req.headers['x-hubspot-signature-v3'];
      const timestamp = req.headers['x-hubspot-request-timestamp'];
      if (!signature || !timestamp || !/^\d{1,16}$/.test(timestamp) || !freshMs(Number(timestamp), req.receivedAt)) return false;
      return safeEqual(signature, hmac('sha256', secret, [`${req.method}${signedUri(req.url)}`, req.rawBody, timestamp], 'base64'));
    },
    parse(req): InboundEvent[] {
      return bodySchema.parse(jsonBody(req.rawBody)).map((e) => {
        const object = objectOf(e);
        return {
          deliveryId: `${e.portalId}:${e.eventId}`,
          type: e.subscriptionType,
          object,
          accountId: String(e.portalId),
          ...(e.objectId !== undefined ? { remoteId: String(e.objectId) } : {}),
        };
      });
    },
  },
  // App-level: nothing is registered per connection (no resourcesFor, register or unregister).
  setup: [
    'HubSpot sends every account\'s webhooks to one URL configured once on the HubSpot app (no registration per connection).',
    'In the app\'s Webhooks settings (or `webhooks-hsmeta.json` on the developer platform) set the Target URL to `{PUBLIC_URL}/webhooks/hubspot` — PUBLIC_URL exactly as HubSpot reaches it (public HTTPS), because the v3 signature covers the URL.',
    'Subscribe to `contact.creation`, `contact.deletion`, `contact.restore`, `contact.merge` and one `contact.propertyChange` per synced property (`firstname`, `lastname`, `email`, `phone`, `company`, `jobtitle`, and any other you map), or the generic `object.*` equivalents for the contact object; HubSpot requires the app to list the `crm.objects.contacts.read` scope first.',
    'Requests are verified with the app\'s client secret (`PROVIDER_HUBSPOT_CLIENT_SECRET`, or the workspace\'s own HubSpot app): nothing to store per connection. Events are routed by portal id to the connections of that HubSpot account; events for accounts with no connection are acknowledged and ignored.',
    'A contacts rule set to `realtime` then syncs on each change, and keeps polling as a safety net for events HubSpot did not deliver.',
  ].join(' '),
};
