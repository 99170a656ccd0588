/**
 * The contract between Patchbay's core and a provider folder (`src/providers/<slug>/`).
 *
 * A provider is a declarative definition (checked against `providerDefinitionSchema`) plus a
 * connector with code only where the provider needs it. The core (connection lifecycle, OAuth
 * routes, jobs) only ever talks to providers through these types and `registry.ts`.
 */
import { z } from 'zod';
import type { Logger } from '../logger.ts';
import type { EgressPolicy } from '../net/egress.ts';
import type { ObjectAdapter } from '../sync/types.ts';
import type { ProviderWebhooks } from '../inbound/scheme.ts';
import { apiBaseUrlFromTokenSchema, urlOverridesSpecSchema, urlsFromCallbackSchema, type UrlKey } from './_shared/url-overrides.ts';

export const CATEGORIES = ['project_management', 'crm', 'calendar', 'email', 'developer', 'communication', 'billing', 'storage', 'other'] as const;
export type Category = (typeof CATEGORIES)[number];

export const OBJECT_NAMES = ['tasks', 'contacts', 'events', 'issues', 'messages', 'deals', 'customers', 'rows', 'files'] as const;
export type ObjectName = (typeof OBJECT_NAMES)[number];

/** A credential field an admin types (only in API bodies and chat modals, never echoed back). */
export const credentialFieldSchema = z.object({
  name: z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]*$/),
  label: z.string(),
  /** Secret fields are encrypted at rest and never shown again. */
  secret: z.boolean(),
  /** Source of a JS RegExp the value must match. */
  pattern: z.string().optional(),
  help: z.string().optional(),
  optional: z.boolean().optional(),
});
export type CredentialField = z.infer<typeof credentialFieldSchema>;

export const oauth2SpecSchema = z.object({
  authorizeUrl: z.url(),
  tokenUrl: z.url(),
  revokeUrl: z.url().optional(),
  pkce: z.boolean(),
  /** How the client authenticates at the token endpoint. */
  clientAuth: z.enum(['body', 'basic']),
  scopeSeparator: z.enum([' ', ',']),
  /** Scopes always requested (identity, offline access). Object scopes are added per object. */
  defaultScopes: z.array(z.string()),
  /** Extra authorize-URL parameters (e.g. access_type=offline, audience=…). */
  authorizeParams: z.record(z.string(), z.string()).default({}),
  /** Whether refresh tokens exist and whether each refresh returns a new one. */
  refresh: z.enum(['none', 'static', 'rotating']),
});
export type OAuth2Spec = z.infer<typeof oauth2SpecSchema>;

export const credentialsSpecSchema = z.object({
  /** `api_key`: a token sent in a header; `basic`: HTTP Basic from two fields. */
  kind: z.enum(['api_key', 'basic']),
  fields: z.array(credentialFieldSchema).min(1),
  /** Where the operator finds the key, shown in chat modals and docs. */
  instructions: z.string(),
});
export type CredentialsSpec = z.infer<typeof credentialsSpecSchema>;

/**
 * A service that calls Patchbay rather than the reverse (Zapier's app): it holds a Patchbay API
 * token, and Patchbay stores no credentials for it. Connecting records a connection (auth kind
 * `inbound`) with nothing secret, whose test reports what the service subscribed to — the
 * outbound endpoints whose `source` is the provider's slug.
 */
export const inboundSpecSchema = z.object({
  /** How the service is set up: shown by `connect`, in the catalog and on the doc page. */
  instructions: z.string(),
});
export type InboundSpec = z.infer<typeof inboundSpecSchema>;

/** A response that means "slow down", beyond plain 429 (which is always recognised). */
export const rateLimitSignalSchema = z.object({
  status: z.number().int(),
  /** Header that must have this value, e.g. GitHub's `x-ratelimit-remaining: 0`. */
  header: z.object({ name: z.string(), equals: z.string() }).optional(),
  /** Text the body must contain, e.g. Linear's `RATELIMITED`. */
  bodyIncludes: z.string().optional(),
  /**
   * A defined pause for a signal that names no wait (Salesforce's daily limit): `seconds` at first,
   * doubled each time the limit is hit again within a pause's length of the last one, up to `maxSeconds`.
   */
  pause: z.object({ seconds: z.number().int().positive(), maxSeconds: z.number().int().positive() }).optional(),
});

export const providerDefinitionSchema = z.object({
  slug: z.string().regex(/^[a-z][a-z0-9-]*$/),
  displayName: z.string(),
  category: z.enum(CATEGORIES),
  docsUrl: z.url(),
  /**
   * OAuth and/or typed credentials (Linear has both: OAuth, or a personal API key) — or `inbound`
   * alone, for a service that calls Patchbay with a Patchbay API token (Zapier).
   */
  auth: z
    .object({ oauth2: oauth2SpecSchema.optional(), credentials: credentialsSpecSchema.optional(), inbound: inboundSpecSchema.optional() })
    .refine((a) => a.oauth2 || a.credentials || a.inbound, { error: 'a provider needs oauth2, credentials or inbound auth' })
    .refine((a) => !(a.inbound && (a.oauth2 || a.credentials)), { error: 'an inbound provider holds a Patchbay token: it has no oauth2 or credentials auth' }),
  apiBaseUrl: z.url(),
  /**
   * An operator setting (a configuration key) that supplies the API base URL in place of
   * `apiBaseUrl` — the built-in Sandbox, served at an address only the configuration knows. Trusted
   * like `PROVIDER_<SLUG>_BASE_URL` (which still wins over it).
   */
  apiBaseUrlSetting: z.enum(['SANDBOX_URL']).optional(),
  /** Per-connection URL overrides a connection may carry (self-managed installations); none when absent. */
  urlOverrides: urlOverridesSpecSchema.optional(),
  /** An API base URL taken from the token response (Salesforce `instance_url`), limited to declared hosts. */
  apiBaseUrlFromToken: apiBaseUrlFromTokenSchema.optional(),
  /** OAuth URLs named by a callback parameter (Zoho's `accounts-server`), kept as the connection's overrides (only on `urlOverrides` hosts). */
  urlsFromCallback: urlsFromCallbackSchema.optional(),
  rateLimit: z.object({
    signals: z.array(rateLimitSignalSchema).default([]),
    /** Header giving the reset time when there is no Retry-After. */
    resetHeader: z.object({ name: z.string(), format: z.enum(['epoch_seconds', 'epoch_ms', 'seconds']) }).optional(),
  }),
  objects: z.array(
    z.object({ name: z.enum(OBJECT_NAMES), direction: z.enum(['in', 'out', 'both']), scopes: z.array(z.string()) }),
  ),
  /** Shown in the catalog and the disconnect message when there is no provider-side revoke. */
  revokeNote: z.string().optional(),
});
export type ProviderDefinition = z.input<typeof providerDefinitionSchema>;

/** Decrypted credentials as the vault stores them for one connection. */
export type Credentials =
  | {
      type: 'oauth2';
      accessToken: string;
      refreshToken?: string;
      /** ISO time the access token expires, when the provider says. */
      expiresAt?: string;
      tokenType?: string;
      scopes: string[];
      /** Provider extras from the token response (instance_url, api_domain, …). */
      extra?: Record<string, unknown>;
    }
  | { type: 'api_key' | 'basic'; fields: Record<string, string> }
  /** An inbound provider's connection: nothing secret (the service holds a Patchbay API token). */
  | { type: 'inbound' };

export type OAuth2Credentials = Extract<Credentials, { type: 'oauth2' }>;
export type FieldCredentials = Extract<Credentials, { type: 'api_key' | 'basic' }>;

/** The account a connection is connected as, shown in chat ("HubSpot connected as acme.com"). */
export type AccountInfo = {
  accountId: string;
  accountName: string;
  /** Provider-specific facts kept in the connection's metadata (e.g. Jira's cloudId). */
  extra?: Record<string, unknown>;
};

export type HttpRequest = {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
  /** Absolute URL, or a path resolved against the connection's API base URL. */
  url: string;
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  /** JSON body (objects) or a pre-encoded body (string / URLSearchParams). */
  body?: unknown;
  /** Retry 5xx/network errors (default: true for GET/HEAD/PUT/DELETE). */
  idempotent?: boolean;
  timeoutMs?: number;
  /** Don't add the connection's credentials (token endpoints, revoke calls with client auth). */
  skipAuth?: boolean;
  /**
   * Non-2xx statuses handed back to the caller instead of thrown (e.g. GraphQL APIs that answer 400
   * with an `errors` array the connector maps itself). Rate-limit signals are still recognised first.
   */
  allowStatuses?: number[];
};

export type HttpResponse<T = unknown> = { status: number; headers: Headers; body: T };

/**
 * The one provider HTTP client, bound to a connection: adds auth, User-Agent and timeouts,
 * retries idempotent requests, turns rate-limit responses into `rate_limited` AppErrors carrying
 * the wait, 401/403 into `provider_auth_failed`, other failures into `provider_error` — with
 * tokens redacted from every message.
 */
export type ProviderHttp = {
  request<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>>;
};

/** The parts of an outgoing request that auth may change (headers and query parameters). */
export type AuthTarget = { url: URL; headers: Headers };

/** A provider's URLs after environment and per-connection overrides (`_shared/urls.ts`). */
export type ProviderUrls = {
  apiBaseUrl: string;
  authorizeUrl?: string;
  tokenUrl?: string;
  revokeUrl?: string;
  /**
   * The URLs that came from the connection (an override, or the token response) rather than from
   * the definition or the operator's PROVIDER_<SLUG>_*_URL: requests to them go through the egress guard.
   */
  userChosen?: UrlKey[];
};

export type ConnectorContext = {
  /** The provider this context calls, so a connector needs no reference to its own module. */
  provider: Provider;
  http: ProviderHttp;
  credentials: Credentials;
  /** The connection's metadata (account, provider extras like cloudId) — empty before first test. */
  metadata: Record<string, unknown>;
  /** The OAuth client in use (for revoke calls that authenticate as the app). */
  oauthClient?: { clientId: string; clientSecret: string };
  logger: Logger;
  /** The connection's resolved URLs (env and per-connection overrides applied). */
  urls: ProviderUrls;
  /** The operator's egress policy, for calls a connector makes outside `http` (token revokes). */
  egress: EgressPolicy;
  /** For inbound providers (Zapier): what the service subscribed to in the connection's workspace. */
  inbound?: InboundPort;
};

/** An outbound endpoint an inbound service subscribed through Patchbay's API (`source` = its slug). */
export type InboundSubscription = { id: string; eventTypes: string[]; status: string; createdAt: string };

export type InboundPort = {
  subscriptions(): Promise<InboundSubscription[]>;
};

export type Connector = {
  /** The cheapest "who am I" call; throws `provider_auth_failed` when the credentials are rejected. */
  test(ctx: ConnectorContext): Promise<AccountInfo>;
  /** Revokes the provider-side grant. Absent when the provider has no revoke call (see revokeNote). */
  revoke?(ctx: ConnectorContext): Promise<void>;
  /**
   * Whether `revoke` does anything for these credentials (Linear revokes OAuth grants but not
   * personal API keys). Absent means "yes, when `revoke` exists"; when false, treat the connection as
   * having no revoke call and show `revokeNote`.
   */
  canRevoke?(credentials: Credentials): boolean;
  /**
   * Adds the credentials to an outgoing request when the default does not fit (Linear's raw API key
   * in `Authorization`, Trello's `key`/`token` query parameters). Return `false` to fall back to the
   * default: oauth2 → `Authorization: Bearer <accessToken>`, basic → HTTP Basic of the first two
   * fields, api_key → `Authorization: Bearer <first field>`.
   */
  applyAuth?(target: AuthTarget, credentials: Credentials): void | boolean;
  /**
   * Reads a token-endpoint error body that is not RFC 6749 §5.2 (HubSpot's `{ status, message }`).
   * `grantRevoked` says the code or refresh token is dead (→ Reconnect).
   */
  tokenError?(body: unknown): TokenEndpointError | undefined;
};

export type TokenEndpointError = { code: string; description?: string; grantRevoked: boolean };

/** The account a declarative test reads from the response; an empty id is a provider_error. */
export type TestAccount = { id: string | number | null | undefined; name?: string | null | undefined; extra?: Record<string, unknown> };

/**
 * The common "who am I": one request, a zod schema of the documented response, and how to read the
 * account from it. `{name}` placeholders in `path` are filled from `params` (URI-encoded).
 */
export type TestSpec<S extends z.ZodType = z.ZodType> = {
  method?: 'GET' | 'POST';
  path: string;
  params?: (ctx: ConnectorContext) => Record<string, string>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  response: S;
  account: (body: z.output<S>, ctx: ConnectorContext) => TestAccount;
};

/** What a provider folder writes: a connector whose `test` may be declarative. */
export type ConnectorSpec<S extends z.ZodType = z.ZodType> = Omit<Connector, 'test'> & { test: Connector['test'] | TestSpec<S> };

export type Provider = {
  definition: z.output<typeof providerDefinitionSchema>;
  connector: Connector;
  /** The declarative test, when the folder declared one (contract tests read it). */
  testSpec?: TestSpec;
  /** The objects the sync engine can sync (one adapter each); an object without one is listed but not synced. */
  adapters: readonly ObjectAdapter[];
  /** How the provider's webhooks are verified and registered; absent when Patchbay takes none from it. */
  webhooks?: ProviderWebhooks;
};
