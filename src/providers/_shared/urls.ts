/**
 * Per-instance provider configuration from the environment (`PROVIDER_<SLUG>_*`, read through
 * `config.raw` — nothing outside src/config reads process.env) and per-connection overrides.
 *
 * Precedence for each URL: per-connection override > `PROVIDER_<SLUG>_…` > the setting the
 * definition names (`apiBaseUrlSetting`, e.g. SANDBOX_URL) > the definition.
 */
import type { Config } from '../../config/index.ts';
import { AppError } from '../../errors.ts';
import type { Credentials, Provider, ProviderUrls } from '../types.ts';
import { permittedOverrides, URL_KEYS, urlProblem, type AuthKindName, type UrlKey } from './url-overrides.ts';

export type { ProviderUrls };
export type ProviderUrlOverrides = Partial<Record<UrlKey, string>>;
export type OAuthClient = { clientId: string; clientSecret: string };

/** The raw environment (and, when known, what the egress policy needs); this narrow shape keeps tests simple. */
export type RawConfig = Pick<Config, 'raw'> & Partial<Pick<Config, 'NODE_ENV' | 'EGRESS_ALLOW_PRIVATE' | 'SANDBOX_URL'>>;

export const URL_ENV_SUFFIXES = {
  apiBaseUrl: 'BASE_URL',
  authorizeUrl: 'AUTHORIZE_URL',
  tokenUrl: 'TOKEN_URL',
  revokeUrl: 'REVOKE_URL',
} as const satisfies Record<UrlKey, string>;

/** `google-calendar` → `PROVIDER_GOOGLE_CALENDAR`. */
export function providerEnvPrefix(slug: string): string {
  return `PROVIDER_${slug.toUpperCase().replace(/-/g, '_')}`;
}

export function providerEnvVar(slug: string, suffix: string): string {
  return `${providerEnvPrefix(slug)}_${suffix}`;
}

/** Every environment variable a provider reads, for `.env.example` and its doc page. */
export function providerEnvVariables(provider: Provider): string[] {
  const slug = provider.definition.slug;
  const oauth = provider.definition.auth.oauth2;
  const vars: string[] = [];
  if (oauth) vars.push(providerEnvVar(slug, 'CLIENT_ID'), providerEnvVar(slug, 'CLIENT_SECRET'));
  // An inbound provider (Zapier) is never called through its API: no base URL to override.
  if (!provider.definition.auth.inbound) vars.push(providerEnvVar(slug, URL_ENV_SUFFIXES.apiBaseUrl));
  if (oauth) {
    vars.push(providerEnvVar(slug, URL_ENV_SUFFIXES.authorizeUrl), providerEnvVar(slug, URL_ENV_SUFFIXES.tokenUrl));
    if (oauth.revokeUrl) vars.push(providerEnvVar(slug, URL_ENV_SUFFIXES.revokeUrl));
  }
  return vars;
}

function envValue(config: RawConfig, name: string): string | undefined {
  const v = config.raw[name]?.trim();
  return v ? v : undefined;
}

function checkedUrl(value: string, source: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new AppError('provider_not_configured', `${source} must be an absolute http(s) URL.`, { details: { variable: source } });
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    throw new AppError('provider_not_configured', `${source} must be an absolute http(s) URL.`, { details: { variable: source } });
  }
  return value.replace(/\/+$/, '');
}

/** The provider's URLs with `PROVIDER_<SLUG>_BASE_URL/_AUTHORIZE_URL/_TOKEN_URL/_REVOKE_URL` then per-connection overrides applied. */
export function resolveProviderUrls(provider: Provider, config: RawConfig, overrides: ProviderUrlOverrides = {}): ProviderUrls {
  const def = provider.definition;
  const defaults: Omit<ProviderUrls, 'userChosen'> = {
    apiBaseUrl: (def.apiBaseUrlSetting && config[def.apiBaseUrlSetting]) || def.apiBaseUrl,
    authorizeUrl: def.auth.oauth2?.authorizeUrl,
    tokenUrl: def.auth.oauth2?.tokenUrl,
    revokeUrl: def.auth.oauth2?.revokeUrl,
  };
  const out: ProviderUrls = { apiBaseUrl: defaults.apiBaseUrl.replace(/\/+$/, '') };
  const chosen: UrlKey[] = [];
  for (const key of URL_KEYS) {
    const variable = providerEnvVar(def.slug, URL_ENV_SUFFIXES[key]);
    const fromOverride = overrides[key]?.trim();
    const fromEnv = envValue(config, variable);
    const value = fromOverride
      ? checkedUrl(fromOverride, `The connection's ${key} override`)
      : fromEnv
        ? checkedUrl(fromEnv, variable)
        : defaults[key];
    if (fromOverride) chosen.push(key);
    if (value !== undefined) out[key] = value;
  }
  if (chosen.length) out.userChosen = chosen;
  return out;
}

/**
 * The URLs for one connection: the overrides its definition accepts for this auth kind (any other
 * is dropped — legacy rows, or a grant that no longer declares it), the API base URL the definition
 * derives from the token response, then the operator's environment and the definition.
 */
export function connectionUrls(
  provider: Provider,
  config: RawConfig,
  authKind: AuthKindName,
  overrides?: ProviderUrlOverrides,
  credentials?: Credentials | null,
): ProviderUrls {
  const permitted = permittedOverrides(provider.definition, authKind, overrides, config.EGRESS_ALLOW_PRIVATE);
  const fromToken = tokenApiBaseUrl(provider, credentials);
  if (fromToken && !permitted.apiBaseUrl) permitted.apiBaseUrl = fromToken;
  return resolveProviderUrls(provider, config, permitted);
}

function tokenApiBaseUrl(provider: Provider, credentials: Credentials | null | undefined): string | undefined {
  const spec = provider.definition.apiBaseUrlFromToken;
  if (!spec || credentials?.type !== 'oauth2') return undefined;
  const value = credentials.extra?.[spec.field];
  if (typeof value !== 'string' || urlProblem(value, { schemes: ['https'], hosts: spec.hosts })) return undefined;
  return `${value.replace(/\/+$/, '')}${spec.path}`;
}

/** Origins reached without the egress guard: the definition's URLs and those the operator configured. */
export function trustedOrigins(provider: Provider, urls: ProviderUrls): Set<string> {
  const def = provider.definition;
  const origins = new Set<string>();
  const add = (u: string | undefined) => {
    if (u) origins.add(new URL(u).origin);
  };
  [def.apiBaseUrl, def.auth.oauth2?.authorizeUrl, def.auth.oauth2?.tokenUrl, def.auth.oauth2?.revokeUrl].forEach(add);
  for (const key of URL_KEYS) if (!urls.userChosen?.includes(key)) add(urls[key]);
  return origins;
}

/** The instance's OAuth app for a provider from `PROVIDER_<SLUG>_CLIENT_ID/_CLIENT_SECRET`, or null when either is unset. */
export function oauthAppFromEnv(provider: Provider, config: RawConfig): OAuthClient | null {
  const clientId = envValue(config, providerEnvVar(provider.definition.slug, 'CLIENT_ID'));
  const clientSecret = envValue(config, providerEnvVar(provider.definition.slug, 'CLIENT_SECRET'));
  return clientId && clientSecret ? { clientId, clientSecret } : null;
}

/** The error for a provider whose OAuth app is not configured, naming exactly the two variables to set. */
export function oauthNotConfiguredError(provider: Provider): AppError {
  const id = providerEnvVar(provider.definition.slug, 'CLIENT_ID');
  const secret = providerEnvVar(provider.definition.slug, 'CLIENT_SECRET');
  if (!provider.definition.auth.oauth2) {
    return new AppError('provider_not_configured', `${provider.definition.displayName} does not connect with OAuth; use its credential fields instead.`, {
      details: { provider: provider.definition.slug },
    });
  }
  return new AppError(
    'provider_not_configured',
    `${provider.definition.displayName} is not configured: set ${id} and ${secret} (or configure the workspace's own ${provider.definition.displayName} app).`,
    { details: { provider: provider.definition.slug, variables: [id, secret] } },
  );
}

/**
 * The OAuth app to use: the workspace's own app wins, else the instance's from the environment;
 * throws `provider_not_configured` naming `PROVIDER_<SLUG>_CLIENT_ID` and `_CLIENT_SECRET` when neither exists.
 */
export function requireOAuthApp(provider: Provider, config: RawConfig, workspaceApp?: OAuthClient | null): OAuthClient {
  if (!provider.definition.auth.oauth2) throw oauthNotConfiguredError(provider);
  const app = workspaceApp ?? oauthAppFromEnv(provider, config);
  if (!app) throw oauthNotConfiguredError(provider);
  return app;
}
