/**
 * Builds the `ConnectorContext` a connector's `test`/`revoke` run with: the shared HTTP client
 * bound to the connection's credentials and resolved URLs, with every secret (including the
 * OAuth client secret) redacted from its errors and logs.
 */
import type { Logger } from '../logger.ts';
import { egressPolicy, type EgressPolicy } from '../net/egress.ts';
import { createProviderHttp, type ApplyAuth, type RetryOptions } from './_shared/http.ts';
import { connectionUrls, trustedOrigins, type OAuthClient, type ProviderUrlOverrides, type RawConfig } from './_shared/urls.ts';
import type { ConnectorContext, Credentials, Provider } from './types.ts';

export type ConnectorContextOptions = {
  config: RawConfig;
  logger: Logger;
  provider: Provider;
  credentials: Credentials;
  /** The connection's metadata (account, provider extras such as Jira's cloudId). */
  metadata?: Record<string, unknown>;
  /** Per-connection URL overrides (self-managed installations); only those the definition accepts are used. */
  overrides?: ProviderUrlOverrides | undefined;
  /** The egress policy for user-chosen URLs (default: from the config); tests inject a resolver here. */
  egress?: EgressPolicy;
  /** The OAuth app in use (revoke calls that authenticate as the app). */
  oauthClient?: OAuthClient | null;
  /** Test seams, passed to the HTTP client. */
  fetchImpl?: typeof fetch;
  retry?: RetryOptions;
  timeoutMs?: number;
  applyAuth?: ApplyAuth;
};

export function connectorContext(opts: ConnectorContextOptions): ConnectorContext {
  const urls = connectionUrls(opts.provider, opts.config, opts.credentials.type, opts.overrides, opts.credentials);
  const logger = opts.logger.child({ provider: opts.provider.definition.slug });
  const egress = opts.egress ?? egressPolicy(opts.config);
  const http = createProviderHttp({
    provider: opts.provider,
    baseUrl: urls.apiBaseUrl,
    trustedOrigins: trustedOrigins(opts.provider, urls),
    egress,
    credentials: opts.credentials,
    logger,
    secrets: [opts.oauthClient?.clientSecret],
    ...(opts.applyAuth ? { applyAuth: opts.applyAuth } : {}),
    ...(opts.fetchImpl ? { fetchImpl: opts.fetchImpl } : {}),
    ...(opts.retry ? { retry: opts.retry } : {}),
    ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
  });
  return {
    provider: opts.provider,
    http,
    credentials: opts.credentials,
    metadata: opts.metadata ?? {},
    ...(opts.oauthClient ? { oauthClient: opts.oauthClient } : {}),
    logger,
    urls,
    egress,
  };
}
