/**
 * Asana webhooks (https://developers.asana.com/docs/webhooks-guide, and `createWebhook` in the
 * published description): `POST /webhooks {resource, target}` makes Asana send a handshake with
 * `X-Hook-Secret` to the target *while the call is in flight*; echoing it confirms, and that
 * secret signs every later delivery: `X-Hook-Signature` = hex HMAC-SHA256 of the raw body. Asana
 * sends no delivery id, so a delivery is identified by a hash of its body (each event in it by its
 * position); heartbeats carry no events. Scopes: `webhooks:write` and `webhooks:delete`.
 */
import { z } from 'zod';
import { AppError } from '../../errors.ts';
import type { InboundEvent, ProviderWebhooks } from '../../inbound/scheme.ts';
import { bodyDigest, hmac, jsonBody, safeEqual } from '../../inbound/verify.ts';

const eventSchema = z.object({
  action: z.string().max(50),
  resource: z.object({ gid: z.string().max(100), resource_type: z.string().max(50) }).loose(),
  parent: z.object({ gid: z.string().max(100), resource_type: z.string().max(50) }).loose().nullish(),
});
const bodySchema = z.object({ events: z.array(z.unknown()).max(10_000) });
const createdSchema = z.object({ data: z.object({ gid: z.string() }).loose(), 'X-Hook-Secret': z.string().optional() });

/** The task a change is about: the task itself, or the task a story (comment, field change) hangs on. */
function taskOf(e: z.infer<typeof eventSchema>): string | null {
  if (e.resource.resource_type === 'task') return e.resource.gid;
  if (e.parent?.resource_type === 'task') return e.parent.gid;
  return null;
}

export const webhooks: ProviderWebhooks = {
  scheme: {
    routing: 'connection',
    secretSource: 'registration',
    handshake(req) {
      const secret = req.headers['x-hook-secret'];
      return secret ? { status: 200, headers: { 'X-Hook-Secret': secret }, secret } : null;
    },
    verify(req, secret) {
      const sig = req.headers['x-hook-signature'];
      return Boolean(sig) && safeEqual(sig!, hmac('sha256', secret, req.rawBody, 'hex'));
    },
    parse(req): InboundEvent[] {
      const digest = bodyDigest(req.rawBody);
      return bodySchema.parse(jsonBody(req.rawBody)).events.map((raw, i) => {
        const e = eventSchema.safeParse(raw);
        const task = e.success ? taskOf(e.data) : null;
        const type = e.success ? `${e.data.resource.resource_type}.${e.data.action}` : 'unknown';
        return { deliveryId: `${digest}:${i}`, type, object: task ? 'tasks' : null, ...(task ? { remoteId: task } : {}) };
      });
    },
  },
  // A tasks rule syncs one project: its webhook watches that project.
  resourcesFor: (rule) => (rule.remoteObject === 'tasks' && typeof rule.scope.project === 'string' ? [rule.scope.project] : []),
  async register(ctx, input) {
    const res = await ctx.http.request({ method: 'POST', url: '/webhooks', body: { data: { resource: input.resource, target: input.url, filters: [{ resource_type: 'task' }, { resource_type: 'story' }] } } });
    const created = createdSchema.safeParse(res.body);
    if (!created.success) throw new AppError('provider_error', 'Asana answered POST /webhooks without the webhook gid.');
    // The handshake already stored the secret; the answer repeats it (kept as a fallback).
    return { remoteId: created.data.data.gid, ...(created.data['X-Hook-Secret'] ? { secret: created.data['X-Hook-Secret'] } : {}) };
  },
  async unregister(ctx, reg) {
    await ctx.http.request({ method: 'DELETE', url: `/webhooks/${encodeURIComponent(reg.remoteId)}`, allowStatuses: [404] });
  },
  setup:
    'A realtime tasks rule registers an Asana webhook on its project (scope `webhooks:write`; disconnecting removes it with `webhooks:delete`). Asana only sends to public HTTPS URLs: PUBLIC_URL must be reachable from the internet. Asana apps registered with specific scopes need these two added.',
};
