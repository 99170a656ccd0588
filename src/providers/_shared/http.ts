/**
 * The one provider HTTP client (see `ProviderHttp` in `../types.ts`).
 *
 * - global `fetch` (so nock intercepts it), a timeout per attempt, `User-Agent: Patchbay/<version>`;
 * - JSON in and out;
 * - retries of idempotent requests on 5xx and network errors, with jittered exponential backoff;
 * - 429 and the provider's declared signals → `rate_limited` carrying the wait;
 *   401/403 → `provider_auth_failed`; any other non-2xx → `provider_error`;
 * - every error message and log line has the connection's secrets removed;
 * - requests to an origin that is not trusted (the definition's and the operator's URLs) go through
 *   the egress guard, and their errors never echo what that host answered.
 */
import { AppError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import { VERSION } from '../../version.ts';
import { EGRESS_REFUSED_TEXT, EgressRefusedError, guardedFetch, STRICT_EGRESS, type EgressPolicy } from '../../net/egress.ts';
import type { AuthTarget, Credentials, HttpRequest, HttpResponse, Provider, ProviderHttp } from '../types.ts';
import { basicPair, createRedactor, secretValues, type Redactor } from './redact.ts';

export const DEFAULT_TIMEOUT_MS = 15_000;
export const DEFAULT_RATE_LIMIT_WAIT_SECONDS = 60;
/** A reset header further away than this is treated as bogus and clamped. */
export const MAX_RATE_LIMIT_WAIT_SECONDS = 24 * 60 * 60;

export type RetryOptions = {
  /** Retries after the first attempt (default 2). */
  maxRetries?: number;
  /** First backoff step in ms (default 250); doubles per retry, with full jitter. */
  baseDelayMs?: number;
  /** Ceiling of one backoff step in ms (default 2,000). */
  maxDelayMs?: number;
  /** Injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
  /** Injectable for tests; returns [0, 1). */
  random?: () => number;
};

export type ApplyAuth = (target: AuthTarget, credentials: Credentials) => void | boolean;

export type ProviderHttpOptions = {
  provider: Provider;
  /** The connection's API base URL (after overrides); relative request URLs resolve against it. */
  baseUrl: string;
  credentials: Credentials | null;
  /** Overrides the connector's `applyAuth` hook and the default. Return `false` to fall back to the default. */
  applyAuth?: ApplyAuth;
  logger: Logger;
  /** Patchbay's version in the User-Agent (default: package.json's). */
  version?: string;
  fetchImpl?: typeof fetch;
  /** Default per-attempt timeout (default 15 s). */
  timeoutMs?: number;
  retry?: RetryOptions;
  /** Further values to redact (e.g. the OAuth client secret). */
  secrets?: Array<string | undefined>;
  /** Clock for reset headers and HTTP dates (tests). */
  now?: () => number;
  /** Origins reached without the egress guard (default: the definition's and the base URL's). */
  trustedOrigins?: Iterable<string>;
  /** The egress policy for every other origin (default: the strictest). */
  egress?: EgressPolicy;
};

const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE']);

const sleepReal = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The default way credentials are sent: Bearer for oauth2 and api_key, Basic of the first two fields for basic, nothing for inbound. */
export function defaultApplyAuth(provider: Provider | null, target: AuthTarget, credentials: Credentials): void {
  if (credentials.type === 'oauth2') {
    target.headers.set('authorization', `Bearer ${credentials.accessToken}`);
    return;
  }
  if (credentials.type === 'basic') {
    const [user, pass] = basicPair(provider, credentials.fields);
    target.headers.set('authorization', basicAuthHeader(user ?? '', pass ?? ''));
    return;
  }
  // An inbound provider's connection holds nothing to send (the service calls Patchbay, not the reverse).
  if (credentials.type === 'inbound') return;
  const [first] = basicPair(provider, credentials.fields);
  if (first !== undefined) target.headers.set('authorization', `Bearer ${first}`);
}

export function basicAuthHeader(user: string, pass: string): string {
  return `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
}

/** Resolves a request URL: absolute URLs pass through, paths are appended to the base (keeping its path). */
export function resolveUrl(baseUrl: string, url: string): URL {
  if (/^https?:\/\//i.test(url)) return new URL(url);
  return new URL(`${baseUrl.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}`);
}

/** Seconds to wait from a Retry-After value (delta seconds or an HTTP date); undefined when unparseable. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return clampWait(Math.ceil(Number(v)));
  const date = Date.parse(v);
  if (!Number.isNaN(date)) return clampWait(Math.ceil((date - now) / 1000));
  return undefined;
}

/** Seconds to wait from a provider's reset header. */
export function parseResetHeader(
  value: string | null,
  format: 'epoch_seconds' | 'epoch_ms' | 'seconds',
  now: number,
): number | undefined {
  if (value === null) return undefined;
  const n = Number(value.trim());
  if (!Number.isFinite(n)) return undefined;
  switch (format) {
    case 'seconds':
      return clampWait(Math.ceil(n));
    case 'epoch_seconds':
      return clampWait(Math.ceil(n - now / 1000));
    case 'epoch_ms':
      return clampWait(Math.ceil((n - now) / 1000));
  }
}

function clampWait(seconds: number): number {
  if (!Number.isFinite(seconds) || seconds < 1) return 1;
  return Math.min(seconds, MAX_RATE_LIMIT_WAIT_SECONDS);
}

/** Whether a response is a rate limit: 429 always, plus the provider's declared signals. */
export function isRateLimited(provider: Provider, status: number, headers: Headers, bodyText: string): boolean {
  return status === 429 || matchedSignal(provider, status, headers, bodyText) !== undefined;
}

/** The declared signal a response matches, if any. */
export function matchedSignal(provider: Provider, status: number, headers: Headers, bodyText: string) {
  return provider.definition.rateLimit.signals.find(
    (s) =>
      s.status === status &&
      (!s.header || headers.get(s.header.name)?.trim() === s.header.equals) &&
      (!s.bodyIncludes || bodyText.includes(s.bodyIncludes)),
  );
}

/** The wait a rate-limited response asks for: Retry-After, else the declared reset header, else 60 s. */
export function rateLimitWaitSeconds(provider: Provider, headers: Headers, now: number): number {
  const retryAfter = parseRetryAfter(headers.get('retry-after'), now);
  if (retryAfter !== undefined) return retryAfter;
  const reset = provider.definition.rateLimit.resetHeader;
  if (reset) {
    const fromReset = parseResetHeader(headers.get(reset.name), reset.format, now);
    if (fromReset !== undefined) return fromReset;
  }
  return DEFAULT_RATE_LIMIT_WAIT_SECONDS;
}

export function rateLimitedError(provider: Provider, retryAfterSeconds: number, details?: Record<string, unknown>): AppError {
  return new AppError(
    'rate_limited',
    `${provider.definition.displayName} rate limit reached; retry after ${retryAfterSeconds} s`,
    { retryAfterSeconds, details: { provider: provider.definition.slug, retryAfterSeconds, ...details } },
  );
}

/** A short, human message from a provider's error body (common shapes), for error messages. */
export function providerMessage(body: unknown, text: string): string | undefined {
  const pick = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    const errors = Array.isArray(b.errors) ? (b.errors[0] as Record<string, unknown> | undefined) : undefined;
    const nestedError = b.error && typeof b.error === 'object' ? (b.error as Record<string, unknown>) : undefined;
    const found =
      pick(b.error_description) ??
      pick(b.message) ??
      pick(nestedError?.message) ??
      pick(errors?.message) ??
      pick(b.error) ??
      pick(b.detail);
    if (found) return truncate(found);
  }
  const t = text.trim();
  if (t && t.length <= 300 && !t.startsWith('<')) return truncate(t);
  return undefined;
}

function truncate(s: string, max = 200): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

function encodeBody(body: unknown, headers: Headers): RequestInit['body'] {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || body instanceof URLSearchParams || body instanceof Uint8Array || body instanceof ArrayBuffer) {
    return body as RequestInit['body'];
  }
  if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  return JSON.stringify(body);
}

function isNetworkError(err: unknown): boolean {
  return err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError' || err instanceof TypeError || 'code' in err);
}

export function createProviderHttp(opts: ProviderHttpOptions): ProviderHttp {
  const { provider } = opts;
  const name = provider.definition.displayName;
  const fetchImpl = opts.fetchImpl ?? ((input, init) => fetch(input, init));
  const userAgent = `Patchbay/${opts.version ?? VERSION}`;
  const now = opts.now ?? Date.now;
  const redact: Redactor = createRedactor(secretValues(provider, opts.credentials, opts.secrets ?? []));
  const retry = {
    maxRetries: opts.retry?.maxRetries ?? 2,
    baseDelayMs: opts.retry?.baseDelayMs ?? 250,
    maxDelayMs: opts.retry?.maxDelayMs ?? 2_000,
    sleep: opts.retry?.sleep ?? sleepReal,
    random: opts.retry?.random ?? Math.random,
  };
  const log = opts.logger;
  const def = provider.definition;
  const trusted = new Set(
    opts.trustedOrigins ??
      [def.apiBaseUrl, def.auth.oauth2?.authorizeUrl, def.auth.oauth2?.tokenUrl, def.auth.oauth2?.revokeUrl, opts.baseUrl].flatMap((u) => (u ? [new URL(u).origin] : [])),
  );
  const guarded = guardedFetch(opts.egress ?? STRICT_EGRESS, fetchImpl);

  function applyAuth(target: AuthTarget, credentials: Credentials): void {
    if (opts.applyAuth && opts.applyAuth(target, credentials) !== false) return;
    if (!opts.applyAuth && provider.connector.applyAuth && provider.connector.applyAuth(target, credentials) !== false) return;
    defaultApplyAuth(provider, target, credentials);
  }

  function backoffMs(attempt: number): number {
    const ceiling = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** attempt);
    // "Equal jitter": half fixed, half random, so two retries never fire back to back.
    return Math.round(ceiling / 2 + (retry.random() * ceiling) / 2);
  }

  async function request<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>> {
    const method = req.method ?? 'GET';
    const url = resolveUrl(opts.baseUrl, req.url);
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers = new Headers(req.headers);
    if (!headers.has('user-agent')) headers.set('user-agent', userAgent);
    if (!headers.has('accept')) headers.set('accept', 'application/json');
    if (!req.skipAuth && opts.credentials) applyAuth({ url, headers }, opts.credentials);
    const body = encodeBody(req.body, headers);
    const idempotent = req.idempotent ?? IDEMPOTENT_METHODS.has(method);
    const timeoutMs = req.timeoutMs ?? opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const where = `${method} ${redact(url.pathname)}`;
    const logBase = { provider: provider.definition.slug, method, path: redact(url.pathname) };
    // A host an API user chose: checked, pinned, and never quoted back (no probing through Patchbay).
    const userChosen = !trusted.has(url.origin);

    for (let attempt = 0; ; attempt++) {
      const started = performance.now();
      let res: Response;
      try {
        const init: RequestInit = { method, headers, body, signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' };
        res = userChosen ? await guarded(url, init) : await fetchImpl(url, init);
      } catch (err) {
        if (err instanceof EgressRefusedError) {
          log.warn({ ...logBase, reason: err.reason }, `${name} request refused by the egress guard`);
          throw new AppError('provider_error', `Could not reach ${name}: ${EGRESS_REFUSED_TEXT}.`, {
            details: { provider: provider.definition.slug, egress: 'refused' },
          });
        }
        const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
        const reason = userChosen
          ? 'the connection failed'
          : timedOut
            ? `no answer within ${Math.round(timeoutMs / 1000)} s`
            : redact(String((err as Error & { cause?: Error })?.cause?.message ?? (err as Error)?.message ?? err));
        if (idempotent && attempt < retry.maxRetries && isNetworkError(err)) {
          const delay = backoffMs(attempt);
          log.warn({ ...logBase, attempt: attempt + 1, delayMs: delay, reason }, `${name} request failed; retrying`);
          await retry.sleep(delay);
          continue;
        }
        log.warn({ ...logBase, attempt: attempt + 1, reason }, `${name} request failed`);
        throw new AppError('provider_error', `Could not reach ${name} (${where}): ${reason}`, {
          details: { provider: provider.definition.slug, network: true, timedOut },
        });
      }

      const text = method === 'HEAD' ? '' : await res.text().catch(() => '');
      const ms = Math.round(performance.now() - started);
      const contentType = res.headers.get('content-type') ?? '';
      let parsed: unknown = text === '' ? null : text;
      let jsonError = false;
      if (text !== '' && /[/+]json\b/i.test(contentType)) {
        try {
          parsed = JSON.parse(text);
        } catch {
          jsonError = true;
        }
      }
      log.debug({ ...logBase, status: res.status, ms, attempt: attempt + 1 }, `${name} ${where} → ${res.status}`);

      if (isRateLimited(provider, res.status, res.headers, text)) {
        // A signal with a defined pause (no Retry-After) pauses for it, doubling while the limit persists.
        const pause = res.headers.has('retry-after') ? undefined : matchedSignal(provider, res.status, res.headers, text)?.pause;
        const wait = pause ? pause.seconds : rateLimitWaitSeconds(provider, res.headers, now());
        log.warn({ ...logBase, status: res.status, retryAfterSeconds: wait }, `${name} rate limit reached`);
        throw rateLimitedError(provider, wait, { status: res.status, ...(pause ? { pause } : {}) });
      }

      if (res.status >= 500 && idempotent && attempt < retry.maxRetries) {
        const delay = backoffMs(attempt);
        log.warn({ ...logBase, status: res.status, attempt: attempt + 1, delayMs: delay }, `${name} answered ${res.status}; retrying`);
        await retry.sleep(delay);
        continue;
      }

      const ok = (res.status >= 200 && res.status < 300) || (req.allowStatuses ?? []).includes(res.status);
      if (!ok) {
        const detail = userChosen ? undefined : providerMessage(parsed, text);
        const suffix = detail ? `: ${redact(detail)}` : '';
        if (res.status === 401 || res.status === 403) {
          throw new AppError('provider_auth_failed', `${name} rejected the credentials (HTTP ${res.status} on ${where})${suffix}`, {
            details: { provider: provider.definition.slug, status: res.status },
          });
        }
        throw new AppError('provider_error', `${name} answered HTTP ${res.status} to ${where}${suffix}`, {
          details: { provider: provider.definition.slug, status: res.status },
        });
      }
      if (jsonError) {
        throw new AppError('provider_error', `${name} sent invalid JSON in answer to ${where}`, {
          details: { provider: provider.definition.slug, status: res.status },
        });
      }
      return { status: res.status, headers: res.headers, body: parsed as T };
    }
  }

  return { request };
}

/**
 * Walks a paginated API: `fetchPage(cursor)` returns one page's items and the next cursor (undefined
 * at the end). Stops after `maxPages` as a guard against cursors that never end.
 */
export async function* paginate<T, C>(
  fetchPage: (cursor: C | undefined) => Promise<{ items: T[]; next?: C | undefined }>,
  opts: { maxPages?: number } = {},
): AsyncGenerator<T, void, undefined> {
  const maxPages = opts.maxPages ?? 1000;
  let cursor: C | undefined;
  for (let page = 0; page < maxPages; page++) {
    const { items, next } = await fetchPage(cursor);
    yield* items;
    if (next === undefined || next === null || next === cursor) return;
    cursor = next;
  }
}
