/** What the custom hook tests share: sending a body to a hook URL, signed per Standard Webhooks or not. */
import { randomUUID } from 'node:crypto';
import { signDelivery } from '../../src/webhooks/sign.ts';

export type SendOptions = { secret?: string; id?: string; at?: Date; headers?: Record<string, string>; contentType?: string | null };

/** POSTs `body` (a string is sent as is, anything else as JSON) to a hook URL; signs it when given a secret. */
export async function sendToHook(url: string, body: unknown, opts: SendOptions = {}): Promise<Response> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const headers: Record<string, string> = { ...(opts.contentType === null ? {} : { 'content-type': opts.contentType ?? 'application/json' }), ...opts.headers };
  if (opts.secret) Object.assign(headers, signDelivery([opts.secret], opts.id ?? `msg_${randomUUID()}`, text, opts.at));
  else if (opts.id) headers['webhook-id'] = opts.id;
  return await fetch(url, { method: 'POST', headers, body: text });
}
