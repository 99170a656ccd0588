/**
 * Zoho CRM instant notifications (https://www.zoho.com/crm/developer/docs/api/v8/notifications/overview.html,
 * /enable.html, /disable.html; `v8.0/notifications.json` in zoho/crm-oas).
 *
 * - A realtime rule opens a notification channel on its module: `POST /crm/v8/actions/watch` with
 *   `{ watch: [{ channel_id, events: ['Contacts.all'], channel_expiry, token, notify_url }] }`
 *   (scope `ZohoCRM.notifications.ALL`). `channel_id` is a number the caller picks; `channel_expiry`
 *   is at most a week ahead (renewed a day before: a new channel, then the old one removed);
 *   `token` (at most 50 characters) is echoed back in every notification's body.
 * - Notifications carry no signature: the body's `token` must equal the registration's secret
 *   (compared in constant time). So a body cannot be proven untampered beyond the token — which is
 *   why a notification only says "these ids changed" and the sync re-reads them from Zoho.
 * - Body: `{ server_time, module, resource_uri, ids, affected_fields, operation, channel_id, token,
 *   query_params }`. Zoho sends no delivery id: the key is the channel, `server_time` and a digest
 *   of the body (a retried delivery repeats all three).
 * - Removed with `DELETE /crm/v8/actions/watch?channel_ids=…`.
 */
import { randomInt } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../../errors.ts';
import type { InboundEvent, ProviderWebhooks } from '../../inbound/scheme.ts';
import { bodyDigest, jsonBody, safeEqual } from '../../inbound/verify.ts';

/** Channel lifetime asked for (Zoho's maximum is a week), and the renewal margin. */
export const CHANNEL_TTL_SECONDS = 7 * 86_400 - 3_600;
export const RENEW_BEFORE_SECONDS = 86_400;
/** Zoho's limit on `token`. */
export const TOKEN_MAX = 50;

const MODULES: Record<string, 'contacts' | 'deals'> = { Contacts: 'contacts', Deals: 'deals' };
const MODULE_OF: Record<string, string> = { contacts: 'Contacts', deals: 'Deals' };

const idSchema = z.union([z.string().max(40), z.number()]);
export const notificationSchema = z
  .object({
    server_time: z.number().optional(),
    module: z.string().max(100),
    ids: z.array(idSchema).max(1_000).default([]),
    operation: z.string().max(50),
    channel_id: idSchema,
    token: z.string().max(TOKEN_MAX).nullish(),
  })
  .loose();

const createdSchema = z.object({
  watch: z.array(z.object({ status: z.string().optional(), code: z.string().optional(), message: z.string().optional(), details: z.object({ events: z.array(z.object({ channel_id: idSchema.optional(), channel_expiry: z.string().nullish() }).loose()).optional() }).loose().optional() }).loose()),
});

/** The token Zoho echoes: the registration secret cut to Zoho's 50 characters (registration stores exactly this). */
export const channelToken = (secret: string) => secret.slice(0, TOKEN_MAX);

function readToken(raw: Buffer): string | null {
  try {
    const token = (jsonBody<Record<string, unknown>>(raw) ?? {}).token;
    return typeof token === 'string' ? token : null;
  } catch {
    return null;
  }
}

export const webhooks: ProviderWebhooks = {
  scheme: {
    routing: 'connection',
    secretSource: 'registration',
    verify(req, secret) {
      const token = readToken(req.rawBody);
      return token !== null && safeEqual(token, secret);
    },
    parse(req): InboundEvent[] {
      const n = notificationSchema.parse(jsonBody(req.rawBody));
      const object = MODULES[n.module] ?? null;
      const base = `${n.channel_id}:${n.server_time ?? ''}:${bodyDigest(req.rawBody)}`;
      const type = `${n.module}.${n.operation}`;
      if (!n.ids.length) return [{ deliveryId: base, type, object }];
      return n.ids.map((id) => ({ deliveryId: `${base}:${id}`, type, object, ...(object ? { remoteId: String(id) } : {}) }));
    },
  },
  // A contacts or deals rule watches its module.
  resourcesFor: (rule) => (MODULE_OF[rule.remoteObject] ? [MODULE_OF[rule.remoteObject]!] : []),
  async register(ctx, input) {
    const token = channelToken(input.secret);
    const channelId = randomInt(1, 2 ** 47);
    const expiry = new Date(Date.now() + CHANNEL_TTL_SECONDS * 1000);
    const res = await ctx.http.request({
      method: 'POST',
      url: '/crm/v8/actions/watch',
      body: { watch: [{ channel_id: channelId, events: [`${input.resource}.all`], channel_expiry: expiry.toISOString().replace(/\.\d{3}Z$/, '+00:00'), token, notify_url: input.url }] },
      allowStatuses: [202],
    });
    const created = createdSchema.safeParse(res.body);
    const first = created.success ? created.data.watch[0] : undefined;
    if (res.status !== 201 || first?.code !== 'SUCCESS') {
      throw new AppError('provider_error', `Zoho CRM refused to open a notification channel on ${input.resource}: ${(first?.message ?? first?.code ?? 'unexpected answer').slice(0, 200)}`, { details: { provider: 'zoho-crm' } });
    }
    const said = first.details?.events?.[0]?.channel_expiry;
    const expiresAt = said && !Number.isNaN(Date.parse(said)) ? new Date(said) : expiry;
    return { remoteId: String(channelId), secret: token, expiresAt };
  },
  async unregister(ctx, reg) {
    // A channel already gone answers an error in the 200/202 body: nothing left to remove.
    await ctx.http.request({ method: 'DELETE', url: '/crm/v8/actions/watch', query: { channel_ids: reg.remoteId }, allowStatuses: [202, 400] });
  },
  renewBeforeSeconds: RENEW_BEFORE_SECONDS,
  setup:
    'A realtime contacts or deals rule opens a Zoho CRM notification channel on its module (`POST /crm/v8/actions/watch`, scope `ZohoCRM.notifications.ALL`), with a token Patchbay generates that Zoho echoes in every notification; channels last a week and are renewed a day before, and disconnecting removes them. Zoho must reach PUBLIC_URL: it must be public.',
};
