/**
 * Trello webhooks.
 *
 * https://developer.atlassian.com/cloud/trello/guides/rest-api/webhooks/ — creating a webhook
 * (`POST /1/webhooks` with `callbackURL`, `idModel`, `description`) makes Trello send a `HEAD` to the
 * callback URL, which must answer 200 or the webhook is not created. Every delivery then carries
 * `X-Trello-Webhook`: the base64 digest of an HMAC-SHA1 of the full request body followed by the
 * callback URL exactly as given at creation, keyed with the application's secret. The body is
 * `{ action, model }`; an action's `id` identifies it (Trello sends no delivery id, and a retry
 * carries the same action: the idempotency key). A 410 answer makes Trello delete the webhook
 * (what a disconnected connection answers). `DELETE /1/webhooks/{id}` removes one.
 * https://developer.atlassian.com/cloud/trello/rest/api-group-webhooks/ — the calls' parameters.
 *
 * Where the secret comes from: Trello connections here authenticate with an API key and a user
 * token (no OAuth client secret Patchbay would hold), and the signing secret is the secret of the
 * Power-Up that key belongs to — one per key, so one per connection. It is therefore an optional
 * credential field, `appSecret`, entered with the key and token: stored encrypted with them, replaced
 * on reconnect, gone on disconnect (`secretSource: 'credential'`). An admin-stored secret would not
 * fit: it would sit apart from the key it belongs to, and a registered webhook's deliveries are
 * verified against the registration, not against admin rows.
 */
import { z } from 'zod';
import { AppError } from '../../errors.ts';
import type { InboundEvent, ProviderWebhooks } from '../../inbound/scheme.ts';
import { bodyDigest, hmac, jsonBody, safeEqual } from '../../inbound/verify.ts';

const BOARD_ID = /^[0-9a-fA-F]{24}$/;

const bodySchema = z.object({
  action: z
    .object({
      id: z.string().max(100),
      type: z.string().max(100),
      data: z.object({ card: z.object({ id: z.string().max(100) }).loose().optional() }).loose().optional(),
    })
    .loose(),
});
const createdSchema = z.object({ id: z.string() }).loose();

/** Actions that create, change or remove a card (a task). */
const CARD_ACTIONS = new Set(['createCard', 'updateCard', 'deleteCard', 'copyCard', 'moveCardToBoard', 'moveCardFromBoard', 'convertToCardFromCheckItem']);

export const webhooks: ProviderWebhooks = {
  scheme: {
    routing: 'connection',
    secretSource: 'credential',
    credentialField: 'appSecret',
    handshake(req) {
      // Trello checks the callback URL with a HEAD before it creates the webhook.
      return req.method === 'HEAD' ? { status: 200 } : null;
    },
    verify(req, secret) {
      const sig = req.headers['x-trello-webhook'] ?? '';
      return Boolean(sig) && safeEqual(sig, hmac('sha1', secret, [req.rawBody, req.url], 'base64'));
    },
    parse(req): InboundEvent[] {
      const { action } = bodySchema.parse(jsonBody(req.rawBody));
      const card = action.data?.card?.id;
      const deliveryId = action.id || bodyDigest(req.rawBody);
      if (CARD_ACTIONS.has(action.type) && card) return [{ deliveryId, type: action.type, object: 'tasks', remoteId: card }];
      return [{ deliveryId, type: action.type, object: null }];
    },
  },
  // A tasks rule syncs one board (`scope.board`): its webhook watches that board.
  resourcesFor: (rule) => (rule.remoteObject === 'tasks' && typeof rule.scope.board === 'string' && BOARD_ID.test(rule.scope.board) ? [rule.scope.board] : []),
  async register(ctx, input) {
    if (!('fields' in ctx.credentials) || !ctx.credentials.fields.appSecret) {
      // Deliveries could not be verified: registering would only make Trello retry into 401s.
      throw new AppError('provider_not_configured', 'Trello signs webhooks with your Power-Up\'s secret, which this connection does not have: reconnect Trello adding the Secret shown under the API key. The rule keeps polling meanwhile.');
    }
    const res = await ctx.http.request({ method: 'POST', url: '/1/webhooks', body: { callbackURL: input.url, idModel: input.resource, description: 'Patchbay realtime sync' } });
    const created = createdSchema.safeParse(res.body);
    if (!created.success) throw new AppError('provider_error', 'Trello answered POST /1/webhooks without the webhook id.');
    return { remoteId: created.data.id };
  },
  async unregister(ctx, reg) {
    // 404: already gone at Trello (it deletes webhooks answered with 410, or whose model was deleted).
    await ctx.http.request({ method: 'DELETE', url: `/1/webhooks/${encodeURIComponent(reg.remoteId)}`, allowStatuses: [404] });
  },
  setup:
    'A realtime tasks rule creates a Trello webhook on its board (`scope.board`); disconnecting deletes it. Trello signs deliveries with the secret of the Power-Up your API key belongs to: add it as the optional `Secret` field when connecting (or reconnect to add it) — without it no webhook is registered and the rule keeps polling. Trello only calls public URLs: PUBLIC_URL must be reachable, and it must not change once webhooks exist (the signature covers the URL).',
};
