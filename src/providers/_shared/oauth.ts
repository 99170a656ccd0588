/**
 * OAuth 2.0 authorization code flow, as pure HTTP (no database): PKCE, the authorize URL, code
 * exchange, refresh and RFC 7009 revoke — honouring each definition's client authentication
 * (`body` | `basic`) and scope separator. Token responses are parsed with zod into the vault's
 * `oauth2` credentials shape.
 *
 * RFC 6749 §4.1 (code grant), §5.1/5.2 (token response / errors), §6 (refresh);
 * RFC 7636 (PKCE, S256); RFC 7009 (revocation).
 */
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Config } from '../../config/index.ts';
import { AppError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import type { EgressPolicy } from '../../net/egress.ts';
import type { OAuth2Credentials, ObjectName, Provider, ProviderDefinition, ProviderUrls } from '../types.ts';
import { basicAuthHeader, createProviderHttp, providerMessage } from './http.ts';
import { createRedactor, secretValues } from './redact.ts';
import { providerEnvVar, type OAuthClient } from './urls.ts';

export type { OAuth2Credentials };

export type OAuthCallOptions = {
  logger: Logger;
  fetchImpl?: typeof fetch;
  /** Clock for `expiresAt` (tests). */
  now?: () => number;
  timeoutMs?: number;
  /** The egress policy for a token or revoke URL the connection chose (default: the strictest). */
  egress?: EgressPolicy;
};

/** The path Patchbay's OAuth callback is served on; register `{PUBLIC_URL}/oauth/callback` at each provider. */
export const OAUTH_CALLBACK_PATH = '/oauth/callback';

export function oauthRedirectUri(config: Pick<Config, 'PUBLIC_URL'>): string {
  return `${config.PUBLIC_URL.replace(/\/+$/, '')}${OAUTH_CALLBACK_PATH}`;
}

// ---------------------------------------------------------------------------------------------
// PKCE (RFC 7636)

const base64url = (buf: Buffer) => buf.toString('base64url');

/** S256 challenge of a verifier: BASE64URL(SHA256(ASCII(verifier))). */
export function pkceChallenge(codeVerifier: string): string {
  return base64url(createHash('sha256').update(codeVerifier, 'ascii').digest());
}

/** A fresh verifier (43 chars of base64url from 32 random bytes) and its S256 challenge. */
export function createPkcePair(): { codeVerifier: string; codeChallenge: string; codeChallengeMethod: 'S256' } {
  const codeVerifier = base64url(randomBytes(32));
  return { codeVerifier, codeChallenge: pkceChallenge(codeVerifier), codeChallengeMethod: 'S256' };
}

// ---------------------------------------------------------------------------------------------
// Scopes and the authorize URL

/** The scopes to request: the definition's default (identity/offline) scopes plus those of the objects used (all by default). */
export function requestedScopes(definition: Pick<ProviderDefinition, 'auth' | 'objects'>, objects?: readonly ObjectName[]): string[] {
  const out = new Set(definition.auth.oauth2?.defaultScopes ?? []);
  for (const o of definition.objects) if (!objects || objects.includes(o.name)) for (const s of o.scopes) out.add(s);
  return [...out];
}

export type AuthorizeParams = {
  state: string;
  redirectUri: string;
  scopes: string[];
  /** Required when the definition says `pkce: true`. */
  codeChallenge?: string;
  /** Further parameters for this request (e.g. `login_hint`). */
  extraParams?: Record<string, string>;
};

function oauthSpec(provider: Provider) {
  const spec = provider.definition.auth.oauth2;
  if (!spec) {
    throw new AppError('provider_not_configured', `${provider.definition.displayName} does not connect with OAuth.`, {
      details: { provider: provider.definition.slug },
    });
  }
  return spec;
}

function requireUrl(provider: Provider, url: string | undefined, what: 'authorizeUrl' | 'tokenUrl' | 'revokeUrl'): string {
  if (!url) {
    throw new AppError('provider_not_configured', `${provider.definition.displayName} has no OAuth ${what}.`, {
      details: { provider: provider.definition.slug },
    });
  }
  return url;
}

export function buildAuthorizeUrl(
  provider: Provider,
  urls: ProviderUrls,
  client: Pick<OAuthClient, 'clientId'>,
  params: AuthorizeParams,
): string {
  const spec = oauthSpec(provider);
  const url = new URL(requireUrl(provider, urls.authorizeUrl, 'authorizeUrl'));
  // Definition extras first, so the protocol parameters below always win.
  for (const [k, v] of Object.entries(spec.authorizeParams)) url.searchParams.set(k, v);
  for (const [k, v] of Object.entries(params.extraParams ?? {})) url.searchParams.set(k, v);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', client.clientId);
  url.searchParams.set('redirect_uri', params.redirectUri);
  url.searchParams.set('state', params.state);
  if (params.scopes.length) url.searchParams.set('scope', params.scopes.join(spec.scopeSeparator));
  if (spec.pkce) {
    if (!params.codeChallenge) throw new Error(`${provider.definition.slug} uses PKCE: pass a codeChallenge`);
    url.searchParams.set('code_challenge', params.codeChallenge);
    url.searchParams.set('code_challenge_method', 'S256');
  }
  return url.toString();
}

// ---------------------------------------------------------------------------------------------
// Token endpoint

/** RFC 6749 §5.1 successful token response; providers add fields (kept in `extra`). */
export const tokenResponseSchema = z
  .object({
    access_token: z.string().min(1),
    token_type: z.string().optional(),
    expires_in: z.coerce.number().nonnegative().optional(),
    refresh_token: z.string().min(1).optional(),
    scope: z.union([z.string(), z.array(z.string())]).optional(),
  })
  .loose();

/** RFC 6749 §5.2 error response. */
export const tokenErrorSchema = z.object({ error: z.string(), error_description: z.string().optional() }).loose();

const STANDARD_FIELDS = new Set(['access_token', 'token_type', 'expires_in', 'refresh_token', 'scope']);

/** Error codes that mean the grant (code or refresh token) is no longer valid (RFC 6749 and GitHub's). */
const GRANT_ERRORS = new Set(['invalid_grant', 'bad_verification_code', 'bad_refresh_token', 'expired_token']);
/** Beyond this, `new Date()` is invalid (ECMAScript's ±8.64e15 ms); such an expiry means "never" in practice. */
const MAX_DATE_MS = 8.64e15;
const CLIENT_ERRORS = new Set(['invalid_client', 'unauthorized_client', 'incorrect_client_credentials', 'redirect_uri_mismatch']);

function splitScopes(scope: string | string[] | undefined): string[] | undefined {
  if (scope === undefined) return undefined;
  const list = Array.isArray(scope) ? scope : scope.split(/[\s,]+/);
  return list.map((s) => s.trim()).filter(Boolean);
}

/** Turns a token response into vault credentials; `previous` supplies what a refresh response may omit. */
export function toCredentials(
  body: z.output<typeof tokenResponseSchema>,
  now: number,
  previous?: { refreshToken?: string; scopes?: string[]; extra?: Record<string, unknown> },
): OAuth2Credentials {
  const extra: Record<string, unknown> = { ...previous?.extra };
  for (const [k, v] of Object.entries(body)) if (!STANDARD_FIELDS.has(k) && v !== undefined) extra[k] = v;
  const refreshToken = body.refresh_token ?? previous?.refreshToken;
  const creds: OAuth2Credentials = {
    type: 'oauth2',
    accessToken: body.access_token,
    // RFC 6749 `scope` (string); HubSpot also answers a `scopes` array.
    scopes: splitScopes(body.scope) ?? (Array.isArray(body.scopes) ? splitScopes(body.scopes.map(String)) : undefined) ?? previous?.scopes ?? [],
  };
  if (refreshToken) creds.refreshToken = refreshToken;
  const expiresAtMs = body.expires_in === undefined ? undefined : now + body.expires_in * 1000;
  // A huge expires_in would throw a RangeError in toISOString(); treat it as no expiry.
  if (body.expires_in !== undefined && body.expires_in > 0 && expiresAtMs! < MAX_DATE_MS) creds.expiresAt = new Date(expiresAtMs!).toISOString();
  if (body.token_type) creds.tokenType = body.token_type;
  if (Object.keys(extra).length) creds.extra = extra;
  return creds;
}

function parseBody(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  // Some token endpoints (GitHub without Accept, older servers) answer form-encoded.
  if (/^[\w.~%+-]+=[^&]*(&[\w.~%+-]+=[^&]*)*$/.test(body.trim())) return Object.fromEntries(new URLSearchParams(body.trim()));
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

function oauthError(provider: Provider, phase: 'exchange' | 'refresh' | 'revoke', status: number, answer: unknown, redact: (s: string) => string, userChosen = false): AppError {
  const name = provider.definition.displayName;
  const slug = provider.definition.slug;
  // What a host an API user chose answered is never quoted back.
  const body = userChosen ? null : answer;
  const parsed = tokenErrorSchema.safeParse(body);
  // Providers with their own error shape (HubSpot) or codes (Slack's `{ ok: false, error }`) read it in their folder, first.
  const quirk = provider.connector.tokenError?.(body);
  const code = quirk ? quirk.code : parsed.success ? parsed.data.error : undefined;
  const description = !quirk && parsed.success ? parsed.data.error_description : (quirk?.description ?? providerMessage(body, typeof body === 'string' ? body : ''));
  const desc = description ? `: ${redact(description)}` : '';
  if (code && (quirk ? quirk.grantRevoked : GRANT_ERRORS.has(code))) {
    const what = phase === 'refresh' ? 'the refresh token' : phase === 'exchange' ? 'the authorization code' : 'the token';
    return new AppError('provider_auth_failed', `${name} refused ${what} (invalid_grant)${desc}. Reconnect ${name}.`, {
      details: { provider: slug, oauthError: 'invalid_grant', providerError: code, status },
    });
  }
  if (code && CLIENT_ERRORS.has(code)) {
    return new AppError(
      'provider_not_configured',
      `${name} rejected Patchbay's OAuth app (${code})${desc}. Check ${providerEnvVar(slug, 'CLIENT_ID')} / ${providerEnvVar(slug, 'CLIENT_SECRET')} (or the workspace's own app) and the registered redirect URL.`,
      { details: { provider: slug, oauthError: code, status } },
    );
  }
  return new AppError('provider_error', `${name} token endpoint answered HTTP ${status}${code ? ` (${code})` : ''}${desc}`, {
    details: { provider: slug, oauthError: code ?? null, status },
  });
}

type TokenCall = {
  provider: Provider;
  url: string;
  client: OAuthClient;
  form: Record<string, string>;
  /** Values to redact besides the client secret (code, verifier, tokens). */
  secrets: string[];
  phase: 'exchange' | 'refresh' | 'revoke';
  opts: OAuthCallOptions;
  /** The URL came from the connection, not the definition or the operator: it goes through the egress guard. */
  userChosen: boolean;
};

async function postForm({ provider, url, client, form, secrets, opts, userChosen }: TokenCall) {
  const spec = oauthSpec(provider);
  const http = createProviderHttp({
    provider,
    baseUrl: url,
    credentials: null,
    logger: opts.logger,
    trustedOrigins: userChosen ? [] : [new URL(url).origin],
    ...(opts.egress ? { egress: opts.egress } : {}),
    secrets: [client.clientSecret, ...secrets],
    ...(opts.fetchImpl ? { fetchImpl: opts.fetchImpl } : {}),
    ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
    ...(opts.now ? { now: opts.now } : {}),
  });
  const body = new URLSearchParams(form);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (spec.clientAuth === 'basic') {
    headers.authorization = basicAuthHeader(client.clientId, client.clientSecret);
  } else {
    body.set('client_id', client.clientId);
    body.set('client_secret', client.clientSecret);
  }
  const res = await http.request({
    method: 'POST',
    url,
    headers,
    body,
    skipAuth: true,
    // Codes are single-use and rotating refresh tokens burn on use: never replay these.
    idempotent: false,
    // OAuth errors come as 400/401 with an RFC 6749 §5.2 body we map ourselves.
    allowStatuses: [400, 401, 403],
  });
  return { status: res.status, body: parseBody(res.body) };
}

function redactorFor(values: string[]): (s: string) => string {
  return createRedactor(secretValues(null, null, values));
}

async function tokenRequest(call: TokenCall, previous?: Parameters<typeof toCredentials>[2]): Promise<OAuth2Credentials> {
  const { status, body } = await postForm(call);
  const redact = redactorFor([call.client.clientSecret, ...call.secrets]);
  const hasError = body && typeof body === 'object' && 'error' in body && !('access_token' in body);
  if (status !== 200 && status !== 201) throw oauthError(call.provider, call.phase, status, body, redact, call.userChosen);
  if (hasError) throw oauthError(call.provider, call.phase, status, body, redact, call.userChosen); // GitHub answers 200 with `error`
  const parsed = tokenResponseSchema.safeParse(body);
  if (!parsed.success) {
    const missingToken = !(body && typeof body === 'object' && typeof (body as Record<string, unknown>).access_token === 'string');
    // Paths and expectations only: values are tokens.
    const problems = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    const what = missingToken ? 'without an access token' : `with a token response of an unexpected shape (${problems})`;
    throw new AppError('provider_error', `${call.provider.definition.displayName} token endpoint answered ${what}`, {
      details: { provider: call.provider.definition.slug, status },
    });
  }
  return toCredentials(parsed.data, (call.opts.now ?? Date.now)(), previous);
}

export type ExchangeParams = {
  code: string;
  redirectUri: string;
  /** The PKCE verifier whose challenge went into the authorize URL. */
  codeVerifier?: string;
  /** Recorded as the granted scopes when the provider's response does not say. */
  requestedScopes?: string[];
};

/** Exchanges an authorization code for tokens (RFC 6749 §4.1.3). */
export async function exchangeCode(
  provider: Provider,
  urls: ProviderUrls,
  client: OAuthClient,
  params: ExchangeParams,
  opts: OAuthCallOptions,
): Promise<OAuth2Credentials> {
  const spec = oauthSpec(provider);
  const form: Record<string, string> = { grant_type: 'authorization_code', code: params.code, redirect_uri: params.redirectUri };
  if (spec.pkce) {
    if (!params.codeVerifier) throw new Error(`${provider.definition.slug} uses PKCE: pass the codeVerifier`);
    form.code_verifier = params.codeVerifier;
  } else if (params.codeVerifier) {
    form.code_verifier = params.codeVerifier;
  }
  return await tokenRequest(
    {
      provider,
      url: requireUrl(provider, urls.tokenUrl, 'tokenUrl'),
      client,
      form,
      secrets: [params.code, params.codeVerifier ?? ''],
      phase: 'exchange',
      opts,
      userChosen: urls.userChosen?.includes('tokenUrl') ?? false,
    },
    { scopes: params.requestedScopes ?? [] },
  );
}

/**
 * Refreshes an access token (RFC 6749 §6). A response without a refresh token keeps the old one
 * (static refresh tokens); one with a new refresh token replaces it (rotating). An `invalid_grant`
 * is `provider_auth_failed` with details `{ oauthError: 'invalid_grant' }`.
 */
export async function refreshToken(
  provider: Provider,
  urls: ProviderUrls,
  client: OAuthClient,
  credentials: OAuth2Credentials,
  opts: OAuthCallOptions,
): Promise<OAuth2Credentials> {
  const spec = oauthSpec(provider);
  if (spec.refresh === 'none' || !credentials.refreshToken) {
    throw new AppError('provider_auth_failed', `${provider.definition.displayName} gave no refresh token; reconnect to renew access.`, {
      details: { provider: provider.definition.slug, oauthError: 'no_refresh_token' },
    });
  }
  const previous: Parameters<typeof toCredentials>[2] = { refreshToken: credentials.refreshToken, scopes: credentials.scopes };
  if (credentials.extra) previous.extra = credentials.extra;
  return await tokenRequest(
    {
      provider,
      url: requireUrl(provider, urls.tokenUrl, 'tokenUrl'),
      client,
      form: { grant_type: 'refresh_token', refresh_token: credentials.refreshToken },
      secrets: [credentials.refreshToken, credentials.accessToken],
      phase: 'refresh',
      opts,
      userChosen: urls.userChosen?.includes('tokenUrl') ?? false,
    },
    previous,
  );
}

export type RevokeParams = { token: string; tokenTypeHint?: 'access_token' | 'refresh_token' };

/**
 * Revokes a token at the revoke URL the RFC 7009 way (form `token` + `token_type_hint`, client
 * authentication as the definition says). An already invalid token counts as revoked (RFC 7009 §2.2).
 */
export async function revokeToken(
  provider: Provider,
  urls: ProviderUrls,
  client: OAuthClient,
  params: RevokeParams,
  opts: OAuthCallOptions,
): Promise<void> {
  const form: Record<string, string> = { token: params.token };
  if (params.tokenTypeHint) form.token_type_hint = params.tokenTypeHint;
  const call: TokenCall = {
    provider,
    url: requireUrl(provider, urls.revokeUrl, 'revokeUrl'),
    client,
    form,
    secrets: [params.token],
    phase: 'revoke',
    opts,
    userChosen: urls.userChosen?.includes('revokeUrl') ?? false,
  };
  const { status, body } = await postForm(call);
  if (status >= 200 && status < 300) return;
  const parsed = tokenErrorSchema.safeParse(body);
  if (status === 400 && parsed.success && (parsed.data.error === 'invalid_token' || parsed.data.error === 'invalid_grant')) return;
  throw oauthError(provider, 'revoke', status, body, redactorFor([client.clientSecret, params.token]), call.userChosen);
}
