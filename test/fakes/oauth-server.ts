/**
 * A small OAuth 2.0 authorization server and API of the tests' own, on 127.0.0.1: authorization
 * code grant with PKCE (S256 verified), rotating refresh tokens, RFC 7009 revoke, and a GraphQL
 * `viewer` endpoint shaped like Linear's, so the whole dance runs over real HTTP.
 */
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

type Grant = { clientId: string; redirectUri: string; challenge?: string; scope: string };

export type FakeOAuthServer = {
  url: string;
  clientId: string;
  clientSecret: string;
  /** Every token-endpoint request's grant type, in order. */
  tokenRequests: string[];
  revoked: string[];
  /** Make every refresh answer invalid_grant (the user revoked the app). */
  failRefresh: boolean;
  /** Seconds a token lives. */
  expiresIn: number;
  /** Invalidate every issued access token (the API then answers 401). */
  revokeAllAccess(): void;
  close(): Promise<void>;
};

const b64url = (b: Buffer) => b.toString('base64url');

export async function startFakeOAuthServer(): Promise<FakeOAuthServer> {
  const clientId = 'client-' + b64url(randomBytes(4));
  const clientSecret = 'secret-' + b64url(randomBytes(12));
  const codes = new Map<string, Grant>();
  const access = new Set<string>();
  const refresh = new Set<string>();
  const state: Omit<FakeOAuthServer, 'url' | 'close' | 'revokeAllAccess'> = {
    clientId,
    clientSecret,
    tokenRequests: [],
    revoked: [],
    failRefresh: false,
    expiresIn: 3600,
  };
  const issue = (scope: string) => {
    const a = 'at_' + b64url(randomBytes(16));
    const r = 'rt_' + b64url(randomBytes(16));
    access.add(a);
    refresh.add(r);
    return { access_token: a, refresh_token: r, token_type: 'Bearer', expires_in: state.expiresIn, scope };
  };
  const readBody = async (req: http.IncomingMessage) => {
    let data = '';
    for await (const chunk of req) data += chunk;
    return data;
  };
  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'GET' && url.pathname === '/authorize') {
      const q = url.searchParams;
      if (q.get('response_type') !== 'code' || q.get('client_id') !== clientId || !q.get('redirect_uri') || !q.get('state')) {
        return json(res, 400, { error: 'invalid_request' });
      }
      if (q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge')) return json(res, 400, { error: 'invalid_request', error_description: 'PKCE required' });
      const code = 'code_' + b64url(randomBytes(12));
      codes.set(code, { clientId, redirectUri: q.get('redirect_uri')!, challenge: q.get('code_challenge')!, scope: (q.get('scope') ?? '').replace(/,/g, ' ') });
      const back = new URL(q.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', q.get('state')!);
      res.writeHead(302, { location: back.toString() }).end();
      return;
    }
    if (req.method === 'POST' && url.pathname === '/token') {
      const form = new URLSearchParams(await readBody(req));
      state.tokenRequests.push(form.get('grant_type') ?? '?');
      if (form.get('client_id') !== clientId || form.get('client_secret') !== clientSecret) return json(res, 401, { error: 'invalid_client' });
      if (form.get('grant_type') === 'authorization_code') {
        const grant = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? ''); // single use
        if (!grant || grant.redirectUri !== form.get('redirect_uri')) return json(res, 400, { error: 'invalid_grant' });
        const verifier = form.get('code_verifier') ?? '';
        if (b64url(createHash('sha256').update(verifier, 'ascii').digest()) !== grant.challenge) {
          return json(res, 400, { error: 'invalid_grant', error_description: 'PKCE verification failed' });
        }
        return json(res, 200, issue(grant.scope));
      }
      if (form.get('grant_type') === 'refresh_token') {
        const rt = form.get('refresh_token') ?? '';
        if (state.failRefresh || !refresh.has(rt)) return json(res, 400, { error: 'invalid_grant', error_description: 'refresh token revoked' });
        refresh.delete(rt); // rotating: a used refresh token is burnt
        await new Promise((r) => setTimeout(r, 100)); // long enough for a racing refresh to overlap
        return json(res, 200, issue('read write'));
      }
      return json(res, 400, { error: 'unsupported_grant_type' });
    }
    if (req.method === 'POST' && url.pathname === '/revoke') {
      const form = new URLSearchParams(await readBody(req));
      const token = form.get('token') ?? '';
      state.revoked.push(token);
      access.delete(token);
      refresh.delete(token);
      return json(res, 200, {});
    }
    if (req.method === 'POST' && url.pathname === '/graphql') {
      const auth = req.headers.authorization ?? '';
      await readBody(req);
      if (!access.has(auth.replace(/^Bearer /, ''))) {
        return json(res, 401, { errors: [{ message: 'Authentication required', extensions: { code: 'AUTHENTICATION_ERROR' } }] });
      }
      return json(res, 200, { data: { viewer: { id: 'viewer-1', name: 'Octo Admin', email: 'octo@example.com' } } });
    }
    json(res, 404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const fake = state as FakeOAuthServer;
  fake.url = `http://127.0.0.1:${port}`;
  fake.revokeAllAccess = () => access.clear();
  fake.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return fake;
}

/** The operator's configuration pointing Linear at this fake (trusted configuration, though on 127.0.0.1). */
export function linearEnvFor(fake: FakeOAuthServer): Record<string, string> {
  return {
    PROVIDER_LINEAR_CLIENT_ID: fake.clientId,
    PROVIDER_LINEAR_CLIENT_SECRET: fake.clientSecret,
    PROVIDER_LINEAR_AUTHORIZE_URL: `${fake.url}/authorize`,
    PROVIDER_LINEAR_TOKEN_URL: `${fake.url}/token`,
    PROVIDER_LINEAR_REVOKE_URL: `${fake.url}/revoke`,
    PROVIDER_LINEAR_BASE_URL: fake.url,
  };
}
