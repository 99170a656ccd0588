/**
 * Dropbox against its published description: the Stone IDL of dropbox/dropbox-api-spec, cut by
 * test/contracts/stone.ts into test/contracts/cuts/dropbox.stone.json (the two routes the connector
 * calls, the structs and unions they reach). Stone is not OpenAPI, so the checks are written here:
 * an RPC route is `POST https://<host>.dropboxapi.com/2/<namespace>/<route>` with its argument as a
 * JSON body (`null` for `Void`) and the user's Bearer token (`auth = "user"`); the response fixture
 * must be the route's result struct (every required field, no unknown one); the connector's zod
 * schema must accept the smallest result the struct allows; the route's `scope` must be requested.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dropbox } from '../../src/providers/dropbox/index.ts';
import { fullAccountSchema } from '../../src/providers/dropbox/connector.ts';
import { fullAccount } from '../providers/fixtures/dropbox.ts';
import { testContext } from '../providers/helpers.ts';
import { exercise } from './harness.ts';
import type { Recorded } from './describe.ts';
import type { StoneCut } from './stone.ts';

const cut = JSON.parse(readFileSync(new URL('./cuts/dropbox.stone.json', import.meta.url), 'utf8')) as StoneCut;
const creds = { type: 'oauth2' as const, accessToken: 'sl.u.AFdropboxContractToken0123456789', scopes: ['account_info.read'] };
const HOSTS: Record<string, string> = { api: 'api.dropboxapi.com', content: 'content.dropboxapi.com', notify: 'notify.dropboxapi.com' };

/** Problems of a request against the cut: which route it is, host, method, auth and argument. */
function checkRequest(r: Recorded): string[] {
  const route = cut.routes[r.url.pathname.replace(/^\/2\//, '')];
  if (!r.url.pathname.startsWith('/2/') || !route) return [`${r.url.pathname} is not a route of the cut`];
  const problems: string[] = [];
  if (r.url.host !== HOSTS[route.host]) problems.push(`host ${r.url.host}, the route's is ${HOSTS[route.host]}`);
  if (route.style === 'rpc' && r.method !== 'POST') problems.push(`RPC routes are POST, not ${r.method}`);
  if (route.auth === 'user' && !/^Bearer \S+$/.test(r.headers.get('authorization') ?? '')) problems.push('no user Bearer token');
  if (r.url.search) problems.push('RPC arguments go in the body, not the query');
  if (route.arg === 'Void' && !(r.body === '' || (r.body === 'null' && r.headers.get('content-type') === 'application/json'))) problems.push(`a Void argument is no body or JSON null, not ${r.body.slice(0, 40)}`);
  return problems;
}

/** Problems of a JSON value against a Stone type of the cut (aliases and primitives it does not hold are checked loosely). */
function validate(type: string, value: unknown, path = '$'): string[] {
  const fields = cut.structs[type];
  if (fields) {
    if (!value || typeof value !== 'object' || Array.isArray(value)) return [`${path}: not an object`];
    const v = value as Record<string, unknown>;
    const known = new Set(['.tag', ...fields.map((f) => f.name)]);
    return [
      ...Object.keys(v).filter((k) => !known.has(k)).map((k) => `${path}.${k}: not a field of ${type}`),
      ...fields.flatMap((f) => (v[f.name] === undefined || v[f.name] === null ? (f.required ? [`${path}.${f.name}: required`] : []) : validate(f.type, v[f.name], `${path}.${f.name}`))),
    ];
  }
  const tags = cut.unions[type];
  if (tags) return tags.includes(String((value as Record<string, unknown>)?.['.tag'])) ? [] : [`${path}: .tag not one of ${tags.join(', ')}`];
  if (type.startsWith('String')) return typeof value === 'string' ? [] : [`${path}: not a string`];
  if (type === 'Boolean') return typeof value === 'boolean' ? [] : [`${path}: not a boolean`];
  return [];
}

/** The smallest value a type allows: required fields only, the first tag of a union. */
function smallest(type: string): unknown {
  const fields = cut.structs[type];
  if (fields) return Object.fromEntries(fields.filter((f) => f.required).map((f) => [f.name, smallest(f.type)]));
  const tags = cut.unions[type];
  if (tags) return { '.tag': tags[0] };
  return type === 'Boolean' ? false : 'xx';
}

describe('Dropbox against its published description (Stone IDL, cut)', () => {
  it('names its source', () => expect(cut.source).toContain('dropbox/dropbox-api-spec'));

  it('the test is users/get_current_account as the spec has it: POST on the api host, user Bearer, a Void argument sent as null', async () => {
    expect(cut.routes['users/get_current_account']).toMatchObject({ host: 'api', style: 'rpc', auth: 'user', arg: 'Void', result: 'users.FullAccount' });
    expect(validate('users.FullAccount', fullAccount)).toEqual([]);
    const reqs = await exercise('https://api.dropboxapi.com', [{ method: 'POST', path: '/2/users/get_current_account', status: 200, body: fullAccount }], () =>
      dropbox.connector.test(testContext({ provider: dropbox, credentials: creds })),
    );
    expect(reqs.map((r) => `${r.method} ${r.url.pathname}`)).toEqual(['POST /2/users/get_current_account']);
    for (const r of reqs) expect(checkRequest(r)).toEqual([]);
  });

  it('the scope each route requires is requested on every connection', () => {
    for (const route of Object.values(cut.routes)) if (route.scope) expect(dropbox.definition.auth.oauth2!.defaultScopes).toContain(route.scope);
  });

  it('the response schema is not stricter than FullAccount: its smallest instance parses, and every field the schema reads is in the struct', () => {
    expect(validate('users.FullAccount', smallest('users.FullAccount'))).toEqual([]);
    expect(fullAccountSchema.safeParse(smallest('users.FullAccount')).success).toBe(true);
    const names = new Set(cut.structs['users.FullAccount']!.map((f) => f.name));
    for (const key of Object.keys(fullAccountSchema.shape)) expect(names.has(key), key).toBe(true);
  });

  it('revoke is auth/token/revoke as the spec has it (Void → Void)', async () => {
    expect(cut.routes['auth/token/revoke']).toMatchObject({ host: 'api', style: 'rpc', auth: 'user', arg: 'Void', result: 'Void' });
    const reqs = await exercise('https://api.dropboxapi.com', [{ method: 'POST', path: '/2/auth/token/revoke', status: 200, body: null }], () =>
      dropbox.connector.revoke!(testContext({ provider: dropbox, credentials: creds })),
    );
    expect(reqs.map((r) => `${r.method} ${r.url.pathname}`)).toEqual(['POST /2/auth/token/revoke']);
    for (const r of reqs) expect(checkRequest(r)).toEqual([]);
  });

  it('the checker fails what it should: another host, a GET, an argument where the route takes Void, a missing required field', () => {
    const base = { method: 'POST', url: new URL('https://api.dropboxapi.com/2/users/get_current_account'), headers: new Headers({ authorization: 'Bearer t', 'content-type': 'application/json' }), body: 'null' };
    expect(checkRequest({ ...base, url: new URL('https://content.dropboxapi.com/2/users/get_current_account') })).not.toEqual([]);
    expect(checkRequest({ ...base, method: 'GET' })).not.toEqual([]);
    expect(checkRequest({ ...base, body: '{"account_id":"x"}' })).not.toEqual([]);
    const { email: _, ...noEmail } = fullAccount;
    expect(validate('users.FullAccount', noEmail)).toEqual(['$.email: required']);
  });
});
