/**
 * The Sandbox's change webhooks (src/sandbox/README.md → Webhooks): one subscription per
 * connection (it covers every object of the account), `Sandbox-Signature: t=…,v1=<hex HMAC-SHA256
 * of "t.body">` with the secret the subscription call answers, `Sandbox-Delivery` per event.
 */
import { z } from 'zod';
import { freshMs, hmac, jsonBody, safeEqual } from '../../inbound/verify.ts';
import type { InboundEvent, ProviderWebhooks } from '../../inbound/scheme.ts';
import { AppError } from '../../errors.ts';

const eventSchema = z.object({ type: z.string().max(100), id: z.string().max(200), account_id: z.string().max(200), occurred_at: z.string().optional() });
const subscriptionSchema = z.object({ id: z.string(), secret: z.string() });

const OBJECT_OF: Record<string, 'tasks' | 'contacts'> = { task: 'tasks', contact: 'contacts' };

export const webhooks: ProviderWebhooks = {
  scheme: {
    routing: 'connection',
    secretSource: 'registration',
    verify(req, secret) {
      const header = req.headers['sandbox-signature'] ?? '';
      const parts = Object.fromEntries(header.split(',').map((p) => p.trim().split('=', 2) as [string, string]));
      const t = Number(parts.t);
      if (!parts.v1 || !Number.isInteger(t) || !freshMs(t * 1000, req.receivedAt)) return false;
      return safeEqual(parts.v1, hmac('sha256', secret, [`${t}.`, req.rawBody], 'hex'));
    },
    parse(req): InboundEvent[] {
      const e = eventSchema.parse(jsonBody(req.rawBody));
      const delivery = req.headers['sandbox-delivery'];
      if (!delivery) throw new Error('no Sandbox-Delivery header');
      return [{ deliveryId: delivery, type: e.type, object: OBJECT_OF[e.type.split('.')[0] ?? ''] ?? null, remoteId: e.id }];
    },
  },
  // One subscription per account covers every object.
  resourcesFor: () => ['account'],
  async register(ctx, input) {
    const res = await ctx.http.request({ method: 'POST', url: '/webhooks', body: { url: input.url } });
    const sub = subscriptionSchema.safeParse(res.body);
    if (!sub.success) throw new AppError('provider_error', 'The Sandbox answered POST /webhooks without an id and a secret.');
    return { remoteId: sub.data.id, secret: sub.data.secret };
  },
  async unregister(ctx, reg) {
    // 404: already gone there.
    await ctx.http.request({ method: 'DELETE', url: `/webhooks/${encodeURIComponent(reg.remoteId)}`, allowStatuses: [404] });
  },
  setup: 'Nothing to set up: a realtime rule subscribes the connection to the Sandbox\'s change webhooks, and disconnecting removes the subscription.',
};
