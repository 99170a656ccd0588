/**
 * Shared plumbing for the per-provider end-to-end tests: the real app over HTTP on a cloned
 * test database, nock standing in for the provider only, and helpers that look at what a user
 * sees — HTTP status and body, rows in Postgres, and the requests the fake provider received.
 */
import { createHash } from 'node:crypto';
import type nock from 'nock';
import { expect } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { sql } from '../helpers/sql.ts';

export const PUBLIC_URL = 'https://patchbay.example.test';
export const REDIRECT_URI = `${PUBLIC_URL}/oauth/callback`;

/** One request as the fake provider received it. */
export type Received = { method: string; url: URL; headers: Headers; body: string };

/** Records every request a nock scope answers, so tests assert on exactly what the provider received. */
export function received(scope: nock.Scope): Received[] {
  const seen: Received[] = [];
  scope.on('request', (req: Request, _interceptor: unknown, body: string | undefined) => {
    seen.push({ method: req.method, url: new URL(req.url), headers: new Headers(req.headers), body: body ?? '' });
  });
  return seen;
}

/** A form-encoded body as a plain object (to compare it exactly). */
export const formOf = (body: string): Record<string, string> => Object.fromEntries(new URLSearchParams(body));

export const basicAuth = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

/** RFC 7636 S256: BASE64URL(SHA256(verifier)). */
export const s256 = (verifier: string) => createHash('sha256').update(verifier, 'ascii').digest('base64url');

export type ConnectionRow = {
  id: string;
  provider_slug: string;
  display_name: string;
  status: string;
  auth_kind: string;
  credentials: string | null;
  metadata: { accountId?: string; accountName?: string; scopes?: string[]; extra?: Record<string, unknown> };
  token_expires_at: Date | null;
};

export type ApiResult = { status: number; text: string; body: any };

export type E2E = {
  app: TestApp;
  /** Every API response body and callback page the tests saw (for the secrets check). */
  seen: string[];
  /** Calls the admin API as the workspace owner and records the body. */
  call(path: string, init?: { method?: string; json?: unknown }): Promise<ApiResult>;
  /** POST /api/v1/connections/oauth → the authorize URL and its query parameters. */
  startOAuth(body: Record<string, unknown>): Promise<{ url: URL; params: Record<string, string> }>;
  /** GET /oauth/callback as the provider's redirect would (no API token: it is a browser). */
  callback(query: Record<string, string>): Promise<{ status: number; html: string }>;
  rows(provider: string): Promise<ConnectionRow[]>;
  row(id: string): Promise<ConnectionRow>;
  /** The newest `connection_authorization_failed` event's data (what the chat that asked is told). */
  lastAuthorizationFailure(): Promise<{ code: string; message: string } | undefined>;
  /** Decrypts a row's credentials (to check they are the provider's tokens, stored encrypted). */
  decrypt(ciphertext: string): unknown;
  /**
   * Starts an authorization, lets `refuse` set up the provider's refusal of the code, runs the
   * callback and checks what the person and the chat see: a 400 page titled `<Name> authorization
   * failed` saying nothing was connected, no new row, and a failure event. Returns the page.
   */
  expectRefusedCode(opts: { provider: string; name: string; displayName: string; code: string; refuse: () => void }): Promise<{ status: number; html: string }>;
  /** Fails when any secret appears in an API body, a callback page, a log line, or a log/event/audit row. */
  expectNoSecrets(secrets: string[]): Promise<void>;
  close(): Promise<void>;
};

export async function startE2E(env: Record<string, string> = {}): Promise<E2E> {
  const app = await startTestApp({ env: { PUBLIC_URL, ...env } });
  const seen: string[] = [];
  const rowQuery = `select id, provider_slug, display_name, status, auth_kind, credentials, metadata, token_expires_at from connections`;
  const call: E2E['call'] = async (path, init = {}) => {
    const res = await app.fetch(path, { method: init.method ?? 'GET', ...(init.json !== undefined ? { json: init.json } : {}) });
    const text = await res.text();
    seen.push(text);
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
    return { status: res.status, text, body };
  };
  const e2e: E2E = {
    app,
    seen,
    call,
    async startOAuth(body) {
      const res = await call('/api/v1/connections/oauth', { method: 'POST', json: body });
      expect(res.status, res.text).toBe(201);
      const url = new URL(res.body.authorizeUrl);
      return { url, params: Object.fromEntries(url.searchParams) };
    },
    async callback(query) {
      const res = await app.fetch(`/oauth/callback?${new URLSearchParams(query)}`, { token: null });
      const html = await res.text();
      seen.push(html);
      return { status: res.status, html };
    },
    async rows(provider) {
      return await sql<ConnectionRow>(app.dbUrl, `${rowQuery} where provider_slug = $1 order by created_at`, [provider]);
    },
    async row(id) {
      const [r] = await sql<ConnectionRow>(app.dbUrl, `${rowQuery} where id = $1`, [id]);
      if (!r) throw new Error(`no connection ${id}`);
      return r;
    },
    async lastAuthorizationFailure() {
      const [ev] = await sql<{ data: { code: string; message: string } }>(
        app.dbUrl,
        `select data from domain_events where type = 'connection_authorization_failed' order by id desc limit 1`,
      );
      return ev?.data;
    },
    decrypt(ciphertext) {
      return app.pb.rt.vault.decrypt<unknown>(ciphertext);
    },
    async expectRefusedCode({ provider, name, displayName, code, refuse }) {
      const before = (await e2e.rows(provider)).length;
      const { params } = await e2e.startOAuth({ provider, displayName });
      refuse();
      const page = await e2e.callback({ code, state: params.state! });
      expect(page.status).toBe(400);
      expect(page.html).toContain(`${name} authorization failed`);
      expect(page.html).toContain('Nothing was connected');
      expect(await e2e.rows(provider)).toHaveLength(before);
      expect(await e2e.lastAuthorizationFailure()).toMatchObject({ code: 'provider_auth_failed' });
      return page;
    },
    async expectNoSecrets(secrets) {
      const stored = await sql<{ t: string }>(
        app.dbUrl,
        `select x::text as t from connection_logs x
         union all select x::text from domain_events x
         union all select x::text from audit_logs x`,
      );
      const places: Array<[string, string]> = [
        ['API bodies and callback pages', seen.join('\n')],
        ['log lines', app.logs.join('\n')],
        ['connection logs, events and audit rows', stored.map((s) => s.t).join('\n')],
      ];
      expect(app.logs.length, 'logs were captured').toBeGreaterThan(0);
      for (const secret of secrets) {
        expect(secret.length).toBeGreaterThan(5);
        for (const [where, text] of places) expect(text.includes(secret), `a secret appears in ${where}`).toBe(false);
      }
    },
    async close() {
      await app.close();
    },
  };
  return e2e;
}

/**
 * The code exchange of a PKCE provider with client authentication in the body: one form-encoded
 * request, no Authorization header, exactly the RFC 6749 fields, and a verifier whose S256 is the
 * challenge that went into the authorize URL.
 */
export function expectPkceBodyAuthExchange(token: Received[], opts: { code: string; clientId: string; clientSecret: string; challenge: string | undefined }): void {
  expect(token).toHaveLength(1);
  expect(token[0]!.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
  expect(token[0]!.headers.get('authorization')).toBeNull();
  const form = formOf(token[0]!.body);
  expect(form).toEqual({
    grant_type: 'authorization_code',
    code: opts.code,
    redirect_uri: REDIRECT_URI,
    code_verifier: expect.any(String),
    client_id: opts.clientId,
    client_secret: opts.clientSecret,
  });
  expect(s256(form.code_verifier!)).toBe(opts.challenge);
}

/** The HTML page escapes its text; compare against the escaped form. */
export const htmlText = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
