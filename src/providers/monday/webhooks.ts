/**
 * monday.com board webhooks (https://developer.monday.com/api-reference/docs/webhooks,
 * https://developer.monday.com/apps/docs/authorization-header,
 * https://developer.monday.com/apps/docs/advanced-concepts).
 *
 * - Creating a webhook (the `create_webhook` mutation, or the board's Webhooks integration) makes
 *   monday POST `{"challenge": "…"}` to the URL; the URL is accepted only if the answer's JSON body
 *   echoes it. The challenge proves nothing and stores nothing: it is answered before verification.
 * - Webhooks created with an app's OAuth token carry `Authorization: <JWT>`, HS256-signed with the
 *   app's **Signing Secret** (board webhooks; app-lifecycle webhooks use the Client Secret and are not
 *   received here). That secret is the app's, shown in its Developer Center page: an Admin stores it
 *   on the connection (`secretSource: 'admin'`). The JWT is checked here with Node's crypto: header
 *   `alg` HS256, the signature in constant time, `exp` not past and `iat` not in the future (a token
 *   without `exp` must have been issued within the last 5 minutes), and `aud`, when present, equal
 *   to the URL monday called. A JWT signs the request, not the body: a valid one proves the sender.
 * - The body is `{ "event": { type, triggerUuid, subscriptionId, boardId, pulseId, triggerTime, … } }`;
 *   `triggerUuid` identifies the trigger (the idempotency key), else subscription + item + trigger
 *   time, else a digest of the body. Item (`pulseId`) events concern the `tasks` object.
 */
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { InboundEvent, InboundRequest, ProviderWebhooks } from '../../inbound/scheme.ts';
import { TIMESTAMP_TOLERANCE_SECONDS, bodyDigest, jsonBody, safeEqual } from '../../inbound/verify.ts';

/** Seconds of clock drift allowed on `exp` and `iat`. */
export const MONDAY_CLOCK_SKEW_SECONDS = 60;

const challengeSchema = z.strictObject({ challenge: z.string().min(1).max(512) });
const headerSchema = z.object({ alg: z.literal('HS256') }).loose();
const claimsSchema = z.object({ exp: z.number().optional(), iat: z.number().optional(), aud: z.union([z.string(), z.array(z.string())]).optional() }).loose();
const id = z.union([z.string().max(100), z.number()]);
const eventSchema = z.object({
  event: z
    .object({ type: z.string().min(1).max(100), triggerUuid: z.string().max(200).optional(), subscriptionId: id.optional(), pulseId: id.optional(), triggerTime: z.string().max(100).optional() })
    .loose(),
});

const decode = (part: string): unknown => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
const withoutSlash = (u: string) => u.replace(/\/+$/, '');

/** Whether `token` is an HS256 JWT signed with `secret`, current at `now`, and (when it names one) for `url`. */
export function verifyMondayJwt(token: string, secret: string, now: Date, url: string): boolean {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[\w-]*$/.test(p))) return false;
  const [h, p, sig] = parts as [string, string, string];
  const expected = createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url');
  if (!safeEqual(sig, expected)) return false;
  try {
    if (!headerSchema.safeParse(decode(h)).success) return false;
    const claims = claimsSchema.safeParse(decode(p));
    if (!claims.success) return false;
    const { exp, iat, aud } = claims.data;
    const t = now.getTime() / 1000;
    if (exp !== undefined && t > exp + MONDAY_CLOCK_SKEW_SECONDS) return false;
    if (iat !== undefined && iat > t + MONDAY_CLOCK_SKEW_SECONDS) return false;
    if (exp === undefined && (iat === undefined || t - iat > TIMESTAMP_TOLERANCE_SECONDS)) return false;
    if (aud !== undefined) {
      const target = withoutSlash(url.split('?')[0]!);
      if (!(Array.isArray(aud) ? aud : [aud]).some((a) => withoutSlash(a.split('?')[0]!) === target)) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/** monday's URL check: a JSON body holding only `challenge`. */
export function challengeOf(req: Pick<InboundRequest, 'rawBody'>): string | null {
  if (req.rawBody.length > 1024) return null;
  try {
    const parsed = challengeSchema.safeParse(jsonBody(req.rawBody));
    return parsed.success ? parsed.data.challenge : null;
  } catch {
    return null;
  }
}

export const webhooks: ProviderWebhooks = {
  scheme: {
    routing: 'connection',
    secretSource: 'admin',
    handshake(req) {
      const challenge = challengeOf(req);
      return challenge === null ? null : { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ challenge }) };
    },
    verify(req, secret) {
      const token = (req.headers.authorization ?? '').replace(/^Bearer\s+/i, '').trim();
      return Boolean(token) && verifyMondayJwt(token, secret, req.receivedAt, req.url);
    },
    parse(req): InboundEvent[] {
      const { event: e } = eventSchema.parse(jsonBody(req.rawBody));
      const deliveryId =
        e.triggerUuid ?? (e.subscriptionId !== undefined && e.pulseId !== undefined && e.triggerTime ? `${e.subscriptionId}:${e.pulseId}:${e.triggerTime}` : bodyDigest(req.rawBody));
      const item = e.pulseId !== undefined ? String(e.pulseId) : null;
      return [{ deliveryId, type: e.type, object: item ? 'tasks' : null, ...(item ? { remoteId: item } : {}) }];
    },
  },
  setup: [
    'monday.com board webhooks reach Patchbay signed only when they are created with an OAuth token of the app whose Signing Secret verifies them: the `create_webhook(board_id: …, url: "<receiving URL>", event: change_column_value)` mutation (or `create_item`, `item_deleted`, …; the token needs `webhooks:write`), where the receiving URL is shown by `GET /api/v1/connections/{id}/webhooks` (`<PUBLIC_URL>/webhooks/monday/<connection id>`, public HTTPS).',
    'Patchbay does not create them yet (there is no items adapter, so no realtime rule to create one for), and it never shows the connection\'s token: use a token of the same app obtained outside Patchbay.',
    'monday first sends a `challenge`, which Patchbay echoes. Each event then carries a JWT signed with the app\'s **Signing Secret** (Developer Center → your app → Basic information): store it on the connection (Admin or Owner) with `webhook-secret <connection>` in chat or `PUT /api/v1/connections/{id}/webhook-secret`. Events are refused (401) until it is stored, and always when they carry no JWT (webhooks made in the board\'s Integrations screen or with a personal token are unsigned).',
  ].join(' '),
};
