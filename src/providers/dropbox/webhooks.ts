/**
 * Dropbox webhooks (https://www.dropbox.com/developers/reference/webhooks): one URL per Dropbox
 * app, set in the App Console, so events are routed by account id to the connections whose account
 * (the test's `account_id`) it is — as HubSpot's are by portal.
 *
 * - Verification: Dropbox first calls `GET <url>?challenge=<random>` and expects the challenge back
 *   as the body, with `Content-Type: text/plain` and `X-Content-Type-Options: nosniff`.
 * - Notifications: `POST` with `X-Dropbox-Signature` = hex HMAC-SHA256 of the raw body, keyed with
 *   the app secret (`secretSource: 'app'`). The body only lists who changed:
 *   `{"list_folder": {"accounts": ["dbid:…"]}, "delta": {"users": [12345]}}` (`delta.users` are
 *   the retired API v1 numeric ids; routing uses `list_folder.accounts`). The changes themselves are
 *   read with `files/list_folder/continue` from the connection's cursor.
 * - Idempotency: Dropbox sends no id and no timestamp, and one account's notifications are
 *   byte-identical every time, so a body digest alone would swallow every later change. The key is
 *   the digest of the body plus the minute it arrived: a repeat within the minute (a retry, or a
 *   burst of changes) is one effect, which loses nothing because the apply reads everything changed
 *   since the cursor; a later change is a new delivery.
 */
import { z } from 'zod';
import type { InboundEvent, InboundRequest, ProviderWebhooks } from '../../inbound/scheme.ts';
import { bodyDigest, hmac, jsonBody, safeEqual } from '../../inbound/verify.ts';

/** Dropbox's challenge is a short random string; anything else is not a verification request. */
const CHALLENGE = /^[A-Za-z0-9_-]{1,200}$/;

const bodySchema = z.object({
  list_folder: z.object({ accounts: z.array(z.string().min(1).max(100)).max(10_000) }).loose().optional(),
  delta: z.object({ users: z.array(z.number()).max(10_000) }).loose().optional(),
});

/** The challenge of a verification request (`GET ?challenge=…`), else null. */
export function challengeOf(req: Pick<InboundRequest, 'method' | 'url'>): string | null {
  if (req.method !== 'GET') return null;
  const challenge = new URL(req.url).searchParams.get('challenge');
  return challenge && CHALLENGE.test(challenge) ? challenge : null;
}

/** The idempotency key: the body's digest and the minute it arrived (see above). */
export function deliveryKey(req: Pick<InboundRequest, 'rawBody' | 'receivedAt'>): string {
  return `${bodyDigest(req.rawBody)}:${Math.floor(req.receivedAt.getTime() / 60_000)}`;
}

export const webhooks: ProviderWebhooks = {
  scheme: {
    routing: 'app',
    secretSource: 'app',
    handshake(req) {
      const challenge = challengeOf(req);
      return challenge ? { status: 200, headers: { 'content-type': 'text/plain', 'x-content-type-options': 'nosniff' }, body: challenge } : null;
    },
    verify(req, secret) {
      const signature = req.headers['x-dropbox-signature'] ?? '';
      return signature !== '' && safeEqual(signature, hmac('sha256', secret, req.rawBody, 'hex'));
    },
    parse(req): InboundEvent[] {
      const body = bodySchema.parse(jsonBody(req.rawBody));
      const key = deliveryKey(req);
      const accounts = [...new Set(body.list_folder?.accounts ?? [])];
      return accounts.map((accountId) => ({ deliveryId: `${key}:${accountId}`, type: 'list_folder', object: 'files', accountId }));
    },
  },
  // App-level: nothing is registered per connection.
  setup: [
    'Dropbox sends every account\'s notifications to one URL set once on the Dropbox app (no registration per connection).',
    'In the App Console (https://www.dropbox.com/developers/apps) open the app → Settings → Webhooks and add `{PUBLIC_URL}/webhooks/dropbox` (public HTTPS). Dropbox verifies it at once with `GET ?challenge=…`, which Patchbay answers.',
    'Notifications are verified with the app secret (`PROVIDER_DROPBOX_CLIENT_SECRET`, or the workspace\'s own Dropbox app): nothing to store per connection. They are routed by account id to the connections of that Dropbox account; accounts with no connection are acknowledged and ignored.',
  ].join(' '),
};
