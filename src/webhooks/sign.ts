/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): a delivery carries `webhook-id`
 * (stable across retries of one delivery), `webhook-timestamp` (Unix seconds of this attempt) and
 * `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, keyed with the base64 part
 * of the `whsec_…` secret. During a rotation's overlap both secrets sign, space-separated, so a
 * receiver holding either verifies with any Standard Webhooks library.
 */
import { createHmac, randomBytes } from 'node:crypto';

export const SECRET_PREFIX = 'whsec_';

/** A fresh signing secret: `whsec_` + base64 of 32 random bytes. */
export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}

/** The HMAC key of a secret: its base64 part decoded (the prefix is optional, as in the reference libraries). */
export function secretKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
}

/** One `v1,<base64>` signature of a payload. */
export function signature(secret: string, id: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secretKey(secret)).update(`${id}.${timestamp}.${body}`).digest('base64');
  return `v1,${mac}`;
}

export type SignedHeaders = { 'webhook-id': string; 'webhook-timestamp': string; 'webhook-signature': string };

/**
 * The three headers of one attempt. `secrets` are the signing secrets in force (current first, then
 * a previous one still inside its overlap window); each adds a signature.
 */
export function signDelivery(secrets: readonly string[], id: string, body: string, at: Date = new Date()): SignedHeaders {
  if (!secrets.length) throw new Error('signDelivery needs at least one secret');
  const timestamp = Math.floor(at.getTime() / 1000);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': secrets.map((s) => signature(s, id, timestamp, body)).join(' '),
  };
}
