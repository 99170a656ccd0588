/**
 * Google Calendar push notifications (https://developers.google.com/workspace/calendar/api/guides/push,
 * https://developers.google.com/workspace/calendar/api/v3/reference/events/watch,
 * https://developers.google.com/workspace/calendar/api/v3/reference/channels/stop):
 *
 * - a realtime events rule opens a notification channel on its calendar:
 *   `POST /calendar/v3/calendars/{calendarId}/events/watch` with `{ id, type: 'web_hook', address,
 *   token, params: { ttl } }` → a Channel with `resourceId` and `expiration` (ms, as a string).
 *   The channel `id` must be unique (≤ 64 characters): every registration, renewals included, uses
 *   a new UUID. The `token` is the registration's secret; Google echoes it on every notification.
 *   Google sends only to HTTPS addresses, so PUBLIC_URL must be https.
 * - channels expire (Google picks the expiry, at most what `ttl` asks): renewed a day before by
 *   opening a new channel with the same token, then stopping the old one
 *   (`POST /calendar/v3/channels/stop { id, resourceId }`, so `remoteId` keeps both).
 * - notifications have no body and no signature: `X-Goog-Channel-Token` must equal the secret
 *   (compared in constant time). `X-Goog-Resource-State: sync` is the channel's first message
 *   (nothing changed); `exists` / `not_exists` say the calendar's events changed, with no detail —
 *   the incremental pull (sync token) finds what. Idempotency key: `X-Goog-Channel-ID` +
 *   `X-Goog-Message-Number` (the number grows per message of a channel).
 * Scope: `calendar.events` (already requested for the events object) covers watch and stop.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../../errors.ts';
import type { InboundEvent, ProviderWebhooks } from '../../inbound/scheme.ts';
import { safeEqual } from '../../inbound/verify.ts';
import { parseProviderResponse } from '../_shared/parse.ts';
import { calendarOf } from './adapters/events.ts';

/** Channel lifetime asked for (Google may give less): a week. */
export const CHANNEL_TTL_SECONDS = 7 * 86_400;
/** Renewed this long before it expires (the renewal job runs every 10 minutes). */
export const RENEW_BEFORE_SECONDS = 86_400;

/** The Channel events.watch answers (Discovery marks no field required: `register` checks the two it needs). */
export const channelSchema = z
  .object({
    kind: z.string().optional(),
    id: z.string().optional(),
    resourceId: z.string().optional(),
    resourceUri: z.string().optional(),
    // int64 as a string (milliseconds since the epoch).
    expiration: z.union([z.string(), z.number()]).optional(),
  })
  .loose();

/** `remoteId` = `<channel id>|<resource id>`: what channels.stop needs (the channel id is a UUID, no `|`). */
export const channelRemoteId = (channelId: string, resourceId: string) => `${channelId}|${resourceId}`;

export function parseRemoteId(remoteId: string): { id: string; resourceId: string } | null {
  const at = remoteId.indexOf('|');
  return at > 0 && at < remoteId.length - 1 ? { id: remoteId.slice(0, at), resourceId: remoteId.slice(at + 1) } : null;
}

const CHANGED_STATES = new Set(['exists', 'not_exists']);

export const webhooks: ProviderWebhooks = {
  scheme: {
    routing: 'connection',
    secretSource: 'registration',
    verify(req, secret) {
      const token = req.headers['x-goog-channel-token'];
      return Boolean(token) && Boolean(req.headers['x-goog-channel-id']) && safeEqual(token!, secret);
    },
    parse(req): InboundEvent[] {
      const state = req.headers['x-goog-resource-state'] ?? '';
      // The channel's first message: it exists now, nothing changed.
      if (state === 'sync') return [];
      const channel = req.headers['x-goog-channel-id'];
      const number = req.headers['x-goog-message-number'];
      if (!channel || channel.length > 64) throw new Error('no X-Goog-Channel-ID header');
      if (!number || !/^\d{1,20}$/.test(number)) throw new Error('no X-Goog-Message-Number header');
      return [{ deliveryId: `${channel}:${number}`, type: `events.${state.slice(0, 50) || 'unknown'}`, object: CHANGED_STATES.has(state) ? 'events' : null }];
    },
  },
  // An events rule syncs one calendar: its channel watches that calendar's events.
  resourcesFor: (rule) => (rule.remoteObject === 'events' ? [calendarOf(rule.scope)] : []),
  async register(ctx, input) {
    if (!input.url.startsWith('https://')) {
      throw new AppError('provider_not_configured', 'Google Calendar sends push notifications only to HTTPS addresses: set PUBLIC_URL to the public https URL of Patchbay. Polling continues meanwhile.');
    }
    const res = await ctx.http.request({
      method: 'POST',
      url: `/calendar/v3/calendars/${encodeURIComponent(input.resource)}/events/watch`,
      body: { id: randomUUID(), type: 'web_hook', address: input.url, token: input.secret, params: { ttl: String(CHANNEL_TTL_SECONDS) } },
    });
    const channel = parseProviderResponse(ctx.provider, channelSchema, res.body, 'POST /calendar/v3/calendars/{calendarId}/events/watch');
    if (!channel.id || !channel.resourceId) throw new AppError('provider_error', 'Google Calendar answered events.watch without the channel id and resource id (needed to stop it).', { details: { provider: 'google-calendar' } });
    // Every channel expires: without a readable expiry it is assumed due for renewal within a day, never left to lapse.
    const said = channel.expiration === undefined ? NaN : Number(channel.expiration);
    const expiresAt = new Date(Number.isFinite(said) && said > 0 ? said : Date.now() + 2 * RENEW_BEFORE_SECONDS * 1000);
    return { remoteId: channelRemoteId(channel.id, channel.resourceId), expiresAt };
  },
  async unregister(ctx, reg) {
    const channel = parseRemoteId(reg.remoteId);
    if (!channel) return;
    // 404: stopped or expired already.
    await ctx.http.request({ method: 'POST', url: '/calendar/v3/channels/stop', body: channel, idempotent: true, allowStatuses: [404] });
  },
  renewBeforeSeconds: RENEW_BEFORE_SECONDS,
  setup:
    'A realtime events rule opens a Google push-notification channel on its calendar (`events.watch`, covered by the `calendar.events` scope); channels expire after about a week and are renewed a day before, and disconnecting stops them. Google sends only to HTTPS: PUBLIC_URL must be the public https URL of Patchbay. Realtime rules still poll hourly to reconcile.',
};
