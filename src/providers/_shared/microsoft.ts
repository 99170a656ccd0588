/**
 * What the Microsoft providers (Microsoft 365, Microsoft Teams) share: the Microsoft identity
 * platform (one definition of the authorize and token URLs and of the tenant), the Graph API base,
 * the `GET /me` connection test, the "no revoke" note, and Graph change notifications (the webhook
 * scheme and subscription registration).
 *
 * Identity platform: https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow —
 * `https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize` and `…/token`; `{tenant}` is
 * `common` (work, school and personal accounts), `organizations`, `consumers`, or a tenant id/domain.
 * The tenant is an operator setting: PROVIDER_<SLUG>_AUTHORIZE_URL and _TOKEN_URL (the framework's
 * URL overrides) set to `microsoftIdentityUrls(<tenant>)`. PKCE is supported; client id and secret go
 * in the form body; `offline_access` gives a refresh token, and every refresh answers a new one
 * ("refresh tokens replace themselves with a fresh token upon every use").
 * https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow#refresh-the-access-token
 *
 * No revoke: the identity platform has no RFC 7009 endpoint for delegated tokens. The only API-level
 * revocation, `POST /me/revokeSignInSessions`, invalidates every refresh token of the user in every
 * app — far too broad for a disconnect, so Patchbay does not call it.
 * https://learn.microsoft.com/graph/api/user-revokesigninsessions
 *
 * Throttling: https://learn.microsoft.com/graph/throttling — 429 with Retry-After; 503 (service
 * unavailable, also sent under load) with Retry-After too.
 */
import { z } from 'zod';
import { AppError } from '../../errors.ts';
import type { InboundEvent, ProviderWebhooks, RegistrationInput, Registered } from '../../inbound/scheme.ts';
import { bodyDigest, jsonBody, safeEqual } from '../../inbound/verify.ts';
import type { ConnectorContext, ObjectName, OAuth2Spec, TestSpec } from '../types.ts';
import { parseProviderResponse } from './parse.ts';

export const MICROSOFT_LOGIN_ORIGIN = 'https://login.microsoftonline.com';
/** Work, school and personal Microsoft accounts; an operator may pin a tenant instead. */
export const DEFAULT_TENANT = 'common';
export const GRAPH_BASE_URL = 'https://graph.microsoft.com/v1.0';

/** A tenant id (GUID), a verified domain, or one of the identity platform's keywords. */
const TENANT = /^(common|organizations|consumers|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+)$/i;

/** The identity platform's authorize and token URLs for a tenant. */
export function microsoftIdentityUrls(tenant: string = DEFAULT_TENANT): { authorizeUrl: string; tokenUrl: string } {
  if (!TENANT.test(tenant)) throw new Error(`'${tenant}' is not a Microsoft tenant (a tenant id, a domain, common, organizations or consumers)`);
  const base = `${MICROSOFT_LOGIN_ORIGIN}/${tenant.toLowerCase()}/oauth2/v2.0`;
  return { authorizeUrl: `${base}/authorize`, tokenUrl: `${base}/token` };
}

/** The OAuth spec of a Graph provider: the given default scopes plus `offline_access` and `User.Read` (the test). */
export function microsoftOAuth2(): OAuth2Spec {
  return {
    ...microsoftIdentityUrls(),
    pkce: true,
    clientAuth: 'body',
    scopeSeparator: ' ',
    // `offline_access`: a refresh token; `User.Read`: GET /me, the connection test.
    defaultScopes: ['offline_access', 'User.Read'],
    authorizeParams: {},
    refresh: 'rotating',
  };
}

/** 429 is always a limit; Graph sends 503 with Retry-After under load too. */
export const GRAPH_RATE_LIMIT = { signals: [{ status: 503 }] };

export const MICROSOFT_REVOKE_NOTE =
  'No revoke: the Microsoft identity platform has no per-token revoke for delegated tokens. Patchbay deleted its tokens; to cut off access completely, remove the app’s consent in My Apps (https://myapps.microsoft.com → the app → Remove) or, as an Entra admin, under Enterprise applications → the app → Permissions. (Patchbay never calls `POST /me/revokeSignInSessions`: it signs the user out of every app.)';

/**
 * GET /me → the signed-in user. Every property is nullable in the description except `id`;
 * `mail` is null for accounts without a mailbox, `userPrincipalName` is the sign-in name.
 * https://learn.microsoft.com/graph/api/user-get
 */
export const meSchema = z.object({
  id: z.string().optional(),
  displayName: z.string().nullish(),
  userPrincipalName: z.string().nullish(),
  mail: z.string().nullish(),
});

export const graphMeTest: TestSpec<typeof meSchema> = {
  path: '/me',
  response: meSchema,
  account: (me) => ({
    id: me.id,
    name: me.displayName || me.mail || me.userPrincipalName,
    extra: { userPrincipalName: me.userPrincipalName ?? null, mail: me.mail ?? null },
  }),
};

// ---------------------------------------------------------------------------------------------
// Graph change notifications
// https://learn.microsoft.com/graph/change-notifications-delivery-webhooks,
// https://learn.microsoft.com/graph/api/subscription-post-subscriptions, /subscription-update, /subscription-delete,
// https://learn.microsoft.com/graph/api/resources/changenotification

/** What Graph echoes (≤ 128 characters on the subscription): the registration's secret (64 hex characters). */
export const CLIENT_STATE_MAX = 128;
/** Graph's limit on validationToken is not documented; a handshake answer echoes at most this much. */
const VALIDATION_TOKEN_MAX = 1_024;
const REGISTRATION_PATH = /\/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}\/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}\/?$/i;

const notificationSchema = z
  .object({
    subscriptionId: z.string().max(100),
    changeType: z.string().max(50).optional(),
    lifecycleEvent: z.string().max(50).optional(),
    resource: z.string().max(1_000).optional(),
    clientState: z.string().max(255).nullish(),
    id: z.string().max(200).nullish(),
    resourceData: z.object({ id: z.string().max(400).optional(), '@odata.etag': z.string().max(200).optional() }).loose().nullish(),
  })
  .loose();
const collectionSchema = z.object({ value: z.array(notificationSchema).min(1).max(1_000) });

/** The subscription `POST /subscriptions` answers (the description marks `id` and `expirationDateTime` optional). */
export const subscriptionSchema = z.object({ id: z.string().optional(), expirationDateTime: z.string().nullish(), resource: z.string().optional() }).loose();

function readCollection(raw: Buffer): z.output<typeof collectionSchema> | null {
  try {
    const parsed = collectionSchema.safeParse(jsonBody(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export type GraphWebhookOptions = {
  /** The Graph resource a realtime rule's object watches (`me/events`); absent: none. */
  resourceFor: Partial<Record<ObjectName, string>>;
  /** Which object a notification's `resource` (`Users/{id}/Events/{id}`) changes, and the record id. */
  objectOf(resource: string): ObjectName | null;
  /** `created,updated,deleted` or a subset. */
  changeType: string;
  /** Subscription lifetime asked for, within the resource's maximum. */
  ttlMinutes: number;
  renewBeforeSeconds: number;
  setup: string;
};

/**
 * Graph change notifications on the shared ingress:
 * - handshake: Graph POSTs to the notification URL with `?validationToken=…` when the subscription
 *   is created (and renewed); Patchbay answers 200 `text/plain` with the token within 10 s. Only
 *   registration URLs (connection and registration id) answer it.
 * - verify: every notification of the collection must carry the registration's secret as
 *   `clientState` (constant time). No signature or timestamp exists, so there is no stale check.
 * - renewal: `PATCH /subscriptions/{id}` with a new `expirationDateTime` (a new subscription only
 *   when the old one is gone).
 * - parse: one event per notification; key = subscriptionId + changeType + resource + the
 *   notification's `id` when Graph sends one (it is optional), else the resource's `@odata.etag`
 *   (a new etag per change), else a digest of the body (a redelivery repeats it).
 */
export function graphWebhooks(opts: GraphWebhookOptions): ProviderWebhooks {
  return {
    scheme: {
      routing: 'connection',
      secretSource: 'registration',
      handshake(req) {
        const url = new URL(req.url);
        const token = url.searchParams.get('validationToken');
        if (token === null) return null;
        // …/<connection id>/<registration id>: only a subscription Patchbay creates is validated.
        if (!REGISTRATION_PATH.test(url.pathname) || !token || token.length > VALIDATION_TOKEN_MAX) return { status: 400 };
        return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' }, body: token };
      },
      verify(req, secret) {
        const c = readCollection(req.rawBody);
        if (!c) return false;
        // Every notification compared (no early exit); all must match.
        return c.value.map((n) => typeof n.clientState === 'string' && safeEqual(n.clientState, secret)).every(Boolean);
      },
      parse(req): InboundEvent[] {
        const c = collectionSchema.parse(jsonBody(req.rawBody));
        const digest = bodyDigest(req.rawBody);
        return c.value.map((n, i) => {
          if (n.lifecycleEvent) return { deliveryId: `${n.subscriptionId}:lifecycle:${n.lifecycleEvent}:${n.id ?? `${digest}:${i}`}`, type: `lifecycle.${n.lifecycleEvent}`, object: null };
          const resource = n.resource ?? '';
          const discriminator = n.id || n.resourceData?.['@odata.etag'] || `${digest}:${i}`;
          const object = opts.objectOf(resource);
          const remoteId = n.resourceData?.id;
          return { deliveryId: `${n.subscriptionId}:${n.changeType ?? ''}:${resource}:${discriminator}`, type: `${object ?? 'resource'}.${n.changeType ?? 'unknown'}`, object, ...(object && remoteId ? { remoteId } : {}) };
        });
      },
    },
    resourcesFor: (rule) => {
      const r = opts.resourceFor[rule.remoteObject as ObjectName];
      return r ? [r] : [];
    },
    register: (ctx, input) => createSubscription(ctx, input, opts),
    async unregister(ctx, reg) {
      // 404: expired or deleted already.
      await ctx.http.request({ method: 'DELETE', url: `/subscriptions/${encodeURIComponent(reg.remoteId)}`, allowStatuses: [404] });
    },
    // PATCH /subscriptions/{id} { expirationDateTime }: the same subscription, id and clientState kept.
    // 404: expired or deleted already → null, and the renewal creates a new one.
    async renew(ctx, reg) {
      const expiry = new Date(Date.now() + opts.ttlMinutes * 60_000);
      const res = await ctx.http.request({ method: 'PATCH', url: `/subscriptions/${encodeURIComponent(reg.remoteId)}`, body: { expirationDateTime: expiry.toISOString() }, idempotent: true, allowStatuses: [404] });
      if (res.status === 404) return null;
      const sub = subscriptionSchema.safeParse(res.body);
      const said = sub.success && sub.data.expirationDateTime ? Date.parse(sub.data.expirationDateTime) : NaN;
      return { expiresAt: Number.isFinite(said) ? new Date(said) : expiry };
    },
    renewBeforeSeconds: opts.renewBeforeSeconds,
    setup: opts.setup,
  };
}

/** POST /subscriptions; Graph validates the notification URL (the handshake) before it answers 201. */
async function createSubscription(ctx: ConnectorContext, input: RegistrationInput, opts: GraphWebhookOptions): Promise<Registered> {
  const name = ctx.provider.definition.displayName;
  if (!input.url.startsWith('https://')) {
    throw new AppError('provider_not_configured', `Microsoft Graph sends change notifications only to HTTPS addresses: set PUBLIC_URL to the public https URL of Patchbay. Polling continues meanwhile.`);
  }
  if (input.secret.length > CLIENT_STATE_MAX) throw new Error('the registration secret is longer than Graph’s clientState');
  const expiry = new Date(Date.now() + opts.ttlMinutes * 60_000);
  const res = await ctx.http.request({
    method: 'POST',
    url: '/subscriptions',
    body: { changeType: opts.changeType, notificationUrl: input.url, resource: input.resource, expirationDateTime: expiry.toISOString(), clientState: input.secret, latestSupportedTlsVersion: 'v1_2' },
  });
  const sub = parseProviderResponse(ctx.provider, subscriptionSchema, res.body, 'POST /subscriptions');
  if (!sub.id) throw new AppError('provider_error', `${name} answered POST /subscriptions without a subscription id (needed to delete it).`, { details: { provider: ctx.provider.definition.slug } });
  const said = sub.expirationDateTime ? Date.parse(sub.expirationDateTime) : NaN;
  return { remoteId: sub.id, expiresAt: Number.isFinite(said) ? new Date(said) : expiry };
}
