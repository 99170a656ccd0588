/**
 * Discord signs every interaction with Ed25519: `X-Signature-Ed25519` (hex) over
 * `X-Signature-Timestamp` + the raw body, checked with the application's public key
 * (https://discord.com/developers/docs/interactions/overview#setting-up-an-endpoint-validating-security-request-headers).
 * Discord deliberately sends bad signatures and removes an endpoint that accepts one.
 * Node's crypto verifies Ed25519; the raw 32-byte key is wrapped in its SPKI DER header.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { TIMESTAMP_TOLERANCE_SECONDS } from '../../src/inbound/verify.ts';

const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export function discordPublicKey(hex: string): KeyObject {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new Error('DISCORD_PUBLIC_KEY must be 64 hex digits');
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, Buffer.from(hex, 'hex')]), format: 'der', type: 'spki' });
}

/**
 * A reason to refuse the request, or null when the signature holds. The timestamp must also be
 * within the inbound webhooks' window: receipts of interaction ids are pruned after days, so an
 * old signed request is refused by its age, not only by its id.
 */
export function verifyInteraction(key: KeyObject, headers: Record<string, string | string[] | undefined>, raw: Buffer, nowSec = Math.floor(Date.now() / 1000)): string | null {
  const sig = headers['x-signature-ed25519'];
  const ts = headers['x-signature-timestamp'];
  if (typeof sig !== 'string' || typeof ts !== 'string' || !/^[0-9a-fA-F]{128}$/.test(sig) || !/^\d{1,12}$/.test(ts)) return 'missing or malformed signature headers';
  let ok = false;
  try {
    ok = verify(null, Buffer.concat([Buffer.from(ts), raw]), key, Buffer.from(sig, 'hex'));
  } catch {
    ok = false;
  }
  if (!ok) return 'signature mismatch';
  if (Math.abs(nowSec - Number(ts)) > TIMESTAMP_TOLERANCE_SECONDS) return 'timestamp more than 5 minutes off';
  return null;
}
