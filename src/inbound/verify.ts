/** Signature checks the provider schemes share: HMACs compared in constant time, timestamp windows. */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Compares two strings in time independent of where they differ (and of their lengths' difference). */
export function safeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db) && a.length === b.length;
}

export function hmac(algorithm: 'sha1' | 'sha256', key: string | Buffer, data: string | Buffer | Array<string | Buffer>, encoding: 'hex' | 'base64'): string {
  const h = createHmac(algorithm, key);
  for (const part of Array.isArray(data) ? data : [data]) h.update(part);
  return h.digest(encoding);
}

/** Senders' clocks drift, replays are old: 5 minutes either way, as Slack, Stripe and HubSpot use. */
export const TIMESTAMP_TOLERANCE_SECONDS = 300;

/** Whether a sender's timestamp (milliseconds) is within the tolerance of when the request arrived. */
export function freshMs(sentAtMs: number, receivedAt: Date, toleranceSeconds = TIMESTAMP_TOLERANCE_SECONDS): boolean {
  return Number.isFinite(sentAtMs) && Math.abs(receivedAt.getTime() - sentAtMs) <= toleranceSeconds * 1000;
}

/** A digest of the raw body, the idempotency key of senders that send no delivery id (Asana). */
export const bodyDigest = (raw: Buffer): string => createHash('sha256').update(raw).digest('hex');

/** The JSON of a verified body; a malformed one is the sender's error (400), never a 500. */
export function jsonBody<T = unknown>(raw: Buffer): T {
  return JSON.parse(raw.toString('utf8')) as T;
}
