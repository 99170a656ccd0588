/**
 * Verifies a body signed per Standard Webhooks (https://www.standardwebhooks.com), the inbound
 * twin of src/webhooks/sign.ts: `webhook-id`, `webhook-timestamp` (Unix seconds, within five
 * minutes of now either way, so a captured request cannot be replayed later) and
 * `webhook-signature` (space-separated `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`; any one
 * matching is enough, as during a sender's secret rotation). Signatures are compared in constant
 * time, over the raw bytes as received.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { TIMESTAMP_TOLERANCE_SECONDS } from '../inbound/verify.ts';
import { secretKey } from '../webhooks/sign.ts';

/** The same window as provider webhooks'. */
export const TOLERANCE_SECONDS = TIMESTAMP_TOLERANCE_SECONDS;

export type SignatureHeaders = { id?: string | undefined; timestamp?: string | undefined; signature?: string | undefined };

/** Why a body was refused, in words for the sender (never the expected signature). */
export type VerifyResult = { ok: true } | { ok: false; reason: string };

export function verifySignature(secret: string, headers: SignatureHeaders, body: Buffer, now = Date.now()): VerifyResult {
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature) {
    const missing = [!id && 'webhook-id', !timestamp && 'webhook-timestamp', !signature && 'webhook-signature'].filter(Boolean).join(', ');
    return { ok: false, reason: `This hook requires a signed body (Standard Webhooks): missing ${missing}.` };
  }
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'webhook-timestamp must be Unix seconds.' };
  const skew = Math.abs(Math.floor(now / 1000) - Number(timestamp));
  if (skew > TOLERANCE_SECONDS) return { ok: false, reason: `webhook-timestamp is ${skew} s away from now (at most ${TOLERANCE_SECONDS} s): sign each attempt afresh.` };
  const expected = createHmac('sha256', secretKey(secret)).update(`${id}.${timestamp}.`).update(body).digest();
  for (const part of signature.split(' ')) {
    const [version, value] = part.split(',', 2);
    if (version !== 'v1' || !value) continue;
    const given = Buffer.from(value, 'base64');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { ok: true };
  }
  return { ok: false, reason: 'webhook-signature does not match the body (or the hook has another secret).' };
}
