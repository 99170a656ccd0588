/**
 * Twilio webhooks (message status callbacks, incoming messages).
 *
 * https://www.twilio.com/docs/usage/webhooks/webhooks-security — `X-Twilio-Signature` = base64
 * HMAC-SHA1, keyed with the account's Auth Token, of the full URL Twilio called (as configured,
 * query included) followed, for form-encoded POSTs, by every POST parameter's name and value,
 * sorted by name. For `application/json` bodies the URL carries `bodySHA256` (hex SHA-256 of the
 * body), which is checked, and the signature covers the URL alone. Twilio's own helper
 * (twilio/twilio-node src/webhooks/webhooks.ts, `validateRequest`) accepts the URL with and without
 * the scheme's default port ("signature generation on the back end is inconsistent"): so does this.
 * https://www.twilio.com/docs/usage/webhooks/webhooks-connection-overrides — retries of a webhook
 * carry the same `I-Twilio-Idempotency-Token` (the idempotency key).
 * https://www.twilio.com/docs/sms/api/message-resource (`StatusCallback`) — status callbacks
 * carry `MessageSid` and `MessageStatus`; incoming messages `MessageSid` and `SmsStatus`.
 *
 * The secret is the connection's own Auth Token (`secretSource: 'credential'`): Twilio connections
 * authenticate with the Account SID and Auth Token (src/providers/twilio/definition.ts), so the key
 * Twilio signs with is already stored, encrypted, and rotates with the connection's credentials.
 * (An API Key SID:secret cannot verify: Twilio always signs with the Auth Token. Should API-key
 * connections be added, they would need the Auth Token as an extra field — not an admin-stored
 * secret, since it is one account-wide value that rotates with the account.)
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { InboundEvent, InboundRequest, ProviderWebhooks } from '../../inbound/scheme.ts';
import { bodyDigest, hmac, jsonBody, safeEqual } from '../../inbound/verify.ts';

const paramsSchema = z.record(z.string(), z.unknown());

const isJson = (req: InboundRequest) => /^application\/json\b/i.test(req.headers['content-type'] ?? '');

/** The URL as Twilio's helper reads it: with the scheme's default port and without it. */
function urlVariants(raw: string): string[] {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return [];
  }
  const withoutPort = new URL(url.toString());
  withoutPort.port = '';
  const plain = withoutPort.toString();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const withPort = `${url.protocol}//${url.username}${url.password ? `:${url.password}` : ''}${url.username || url.password ? '@' : ''}${url.hostname}:${port}${url.pathname}${url.search}${url.hash}`;
  return [plain, withPort];
}

/** Form parameters as Twilio signs them: by name, each name's distinct values sorted. */
function signedParams(raw: Buffer): string {
  const byName = new Map<string, Set<string>>();
  for (const [k, v] of new URLSearchParams(raw.toString('utf8'))) {
    if (!byName.has(k)) byName.set(k, new Set());
    byName.get(k)!.add(v);
  }
  let out = '';
  for (const name of [...byName.keys()].sort()) for (const v of [...byName.get(name)!].sort()) out += name + v;
  return out;
}

function readParams(req: InboundRequest): Record<string, unknown> {
  if (isJson(req)) return paramsSchema.parse(jsonBody(req.rawBody));
  return Object.fromEntries(new URLSearchParams(req.rawBody.toString('utf8')));
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v.slice(0, 200) : undefined);

export const webhooks: ProviderWebhooks = {
  scheme: {
    routing: 'connection',
    secretSource: 'credential',
    credentialField: 'authToken',
    verify(req, secret) {
      const sig = req.headers['x-twilio-signature'] ?? '';
      if (!sig) return false;
      const variants = urlVariants(req.url);
      if (!variants.length) return false;
      const bodyHash = new URL(req.url).searchParams.get('bodySHA256');
      let params = '';
      if (bodyHash !== null) {
        // JSON bodies: the body is bound through its hash in the signed URL.
        if (!safeEqual(bodyHash.toLowerCase(), createHash('sha256').update(req.rawBody).digest('hex'))) return false;
      } else if (req.method === 'POST') {
        if (isJson(req)) return false; // a JSON body Twilio signed always comes with bodySHA256
        params = signedParams(req.rawBody);
      }
      // Both variants are compared (no early exit), like Twilio's helper.
      const results = variants.map((u) => safeEqual(sig, hmac('sha1', secret, u + params, 'base64')));
      return results.some(Boolean);
    },
    parse(req): InboundEvent[] {
      const p = readParams(req);
      const sid = str(p.MessageSid) ?? str(p.SmsSid);
      const status = str(p.MessageStatus) ?? str(p.SmsStatus);
      const token = req.headers['i-twilio-idempotency-token'];
      const deliveryId = token || (sid && status ? `${sid}:${status}` : bodyDigest(req.rawBody));
      if (sid) return [{ deliveryId, type: `message.${status ?? 'unknown'}`, object: 'messages', remoteId: sid }];
      // Voice calls and anything else: nothing Patchbay syncs.
      const callStatus = str(p.CallStatus);
      return [{ deliveryId, type: callStatus ? `call.${callStatus}` : 'unknown', object: null }];
    },
  },
  setup:
    "Twilio signs every webhook with the account's Auth Token, which this connection already holds: nothing to store. Point the callbacks at the receiving URL shown by `GET /api/v1/connections/{id}/webhooks` (`<PUBLIC_URL>/webhooks/twilio/<connection id>`) exactly as shown — Twilio signs the URL it calls, so a different host, scheme or query breaks the signature: a message's `StatusCallback`, or a phone number's / Messaging Service's incoming-message webhook (Console → Phone Numbers → Messaging). Reconnecting with a rotated Auth Token keeps verification working.",
};
