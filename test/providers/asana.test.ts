import nock from 'nock';
import { describe, expect, it } from 'vitest';
import type { AppError } from '../../src/errors.ts';
import { TASK_OPT_FIELDS } from '../../src/providers/asana/adapters/records.ts';
import { tasksAdapter } from '../../src/providers/asana/adapters/tasks.ts';
import { asana } from '../../src/providers/asana/index.ts';
import { buildAuthorizeUrl, requestedScopes } from '../../src/providers/_shared/oauth.ts';
import { resolveProviderUrls } from '../../src/providers/_shared/urls.ts';
import { caught, testContext } from './helpers.ts';

const API = 'https://app.asana.com';
const ACCESS = 'asana-access-0123456789';
const REFRESH = 'asana-refresh-9876543210';
const client = { clientId: 'asana-client', clientSecret: 'asana-secret-abcdef' };
const creds = { type: 'oauth2' as const, accessToken: ACCESS, refreshToken: REFRESH, scopes: ['users:read'] };

// Response shape from https://developers.asana.com/reference/getuser
const me = { data: { gid: '12345', resource_type: 'user', name: 'Greg Sanchez', email: 'gsanchez@example.com', workspaces: [] } };

describe('asana', () => {
  it('test: GET /api/1.0/users/me with Bearer → gid and name', async () => {
    nock(API, { reqheaders: { authorization: `Bearer ${ACCESS}` } })
      .get('/api/1.0/users/me')
      .query({ opt_fields: 'name,email' })
      .reply(200, me, { 'content-type': 'application/json' });
    expect(await asana.connector.test(testContext({ provider: asana, credentials: creds }))).toEqual({ accountId: '12345', accountName: 'Greg Sanchez' });
  });

  it('test: 401 → provider_auth_failed without the token', async () => {
    nock(API)
      .get('/api/1.0/users/me')
      .query(true)
      .reply(401, { errors: [{ message: 'Not Authorized' }] }, { 'content-type': 'application/json' });
    const c = testContext({ provider: asana, credentials: creds });
    const err = (await caught(() => asana.connector.test(c))) as AppError;
    expect(err.code).toBe('provider_auth_failed');
    expect(err.message).toContain('Not Authorized');
    expect(err.message + c.logs.join('')).not.toContain(ACCESS);
  });

  it('revoke: POST /-/oauth_revoke with client credentials and the refresh token', async () => {
    const scope = nock(API, { reqheaders: { 'content-type': 'application/x-www-form-urlencoded' } })
      .post('/-/oauth_revoke', { token: REFRESH, client_id: client.clientId, client_secret: client.clientSecret })
      .reply(200);
    await asana.connector.revoke!(testContext({ provider: asana, credentials: creds, oauthClient: client }));
    scope.done();
  });

  it('revoke without the OAuth app configured names the variables', async () => {
    const err = (await caught(() => asana.connector.revoke!(testContext({ provider: asana, credentials: creds })))) as AppError;
    expect(err.code).toBe('provider_not_configured');
    expect(err.message).toContain('PROVIDER_ASANA_CLIENT_ID');
  });

  it('authorize URL uses PKCE and least-privilege scopes', () => {
    const url = new URL(
      buildAuthorizeUrl(asana, resolveProviderUrls(asana, { raw: {} }), client, {
        state: 's',
        redirectUri: 'https://pb.example/oauth/callback',
        scopes: requestedScopes(asana.definition, []),
        codeChallenge: 'c',
      }),
    );
    expect(url.origin + url.pathname).toBe('https://app.asana.com/-/oauth_authorize');
    expect(url.searchParams.get('scope')).toBe('users:read');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
  });

  it('test: a user without gid (optional in the description) → provider_error naming the missing id', async () => {
    nock(API).get('/api/1.0/users/me').query({ opt_fields: 'name,email' }).reply(200, { data: { name: 'Greg' } }, { 'content-type': 'application/json' });
    const err = (await caught(() => asana.connector.test(testContext({ provider: asana, credentials: creds })))) as AppError;
    expect(err.code).toBe('provider_error');
    expect(err.message).toBe('Asana answered GET /users/me without an account id');
  });
});

// Task shapes from https://developers.asana.com/reference/gettasks (with our opt_fields).
const task = (gid: string, modified_at: string, extra: Record<string, unknown> = {}) => ({
  gid,
  resource_type: 'task',
  name: `Task ${gid}`,
  notes: '',
  completed: false,
  due_on: null,
  assignee: null,
  tags: [],
  created_at: '2026-11-01T09:00:00.000Z',
  modified_at,
  ...extra,
});
const PROJECT = '1207894561234567';
const scope = { project: PROJECT };
const json = { 'content-type': 'application/json' };
const ctx = () => testContext({ provider: asana, credentials: creds });
const list = (query: Record<string, string>) => nock(API).get('/api/1.0/tasks').query({ project: PROJECT, opt_fields: TASK_OPT_FIELDS, ...query });
const EVENT_FIELDS = 'action,created_at,parent,resource';
/** GET /events on the project, with `sync` when given (https://developers.asana.com/reference/getevents). */
const events = (sync?: string) => nock(API).get('/api/1.0/events').query({ resource: PROJECT, opt_fields: EVENT_FIELDS, ...(sync ? { sync } : {}) });
const TOO_OLD = 'Sync token invalid or too old. If you are attempting to keep resources in sync, you must fetch the full dataset for this query now and use the new sync token for the next sync.';
/** A call without a token (a full pull) answers 412 with a fresh one. */
const freshToken = (sync = 'tok-fresh') => events().reply(412, { errors: [{ message: TOO_OLD }], sync }, json);
const noEvents = (sync: string, next: string) => events(sync).reply(200, { data: [], sync: next, has_more: false }, json);
const ref = (gid: string, resource_type: string) => ({ gid, resource_type, name: `${resource_type} ${gid}` });
const event = (action: string, gid: string, created_at: string, parent: ReturnType<typeof ref> | null = null, resource_type = 'task') => ({ user: ref('1100', 'user'), resource: ref(gid, resource_type), type: resource_type, action, parent, created_at });

describe('asana tasks adapter', () => {
  it('pages by offset keeping modified_since, then moves the cursor to the newest modified_at of the whole listing', async () => {
    noEvents('tok-1', 'tok-2');
    list({ limit: '2', modified_since: '2026-11-29T07:59:30.000Z' }).reply(
      200,
      { data: [task('2', '2026-11-29T10:00:00.000Z'), task('1', '2026-11-29T09:00:00.000Z')], next_page: { offset: 'off-1', path: '/tasks?offset=off-1', uri: `${API}/api/1.0/tasks?offset=off-1` } },
      json,
    );
    list({ limit: '2', modified_since: '2026-11-29T07:59:30.000Z', offset: 'off-1' }).reply(200, { data: [task('3', '2026-11-29T08:30:00.000Z')], next_page: null }, json);
    const first = await tasksAdapter.listChanged(ctx(), { cursor: { since: '2026-11-29T08:00:00.000Z', offset: null, max: null, sync: 'tok-1' }, scope, pageSize: 2 });
    // Oldest first within the page, whatever order Asana listed them in.
    expect(first.records.map((r) => r.id)).toEqual(['1', '2']);
    expect(first).toMatchObject({ hasMore: true, cursor: { since: '2026-11-29T08:00:00.000Z', offset: 'off-1', max: '2026-11-29T10:00:00.000Z', sync: 'tok-2' } });
    const second = await tasksAdapter.listChanged(ctx(), { cursor: first.cursor, scope, pageSize: 2 });
    // Paging by offset reads no events: only a listing's first page does.
    expect(second).toMatchObject({ hasMore: false, cursor: { since: '2026-11-29T10:00:00.000Z', offset: null, max: null, sync: 'tok-2' } });
    expect(second.records[0]).toEqual({ id: '3', updatedAt: '2026-11-29T08:30:00.000Z', fields: { name: 'Task 3', notes: '', completed: false, due_on: null, assignee_email: null, tags: [], created_at: '2026-11-01T09:00:00.000Z' } });
  });

  it('a drained feed with nothing new keeps its cursor; limit is capped at 100', async () => {
    noEvents('tok-1', 'tok-1');
    list({ limit: '100', modified_since: '2026-11-29T09:59:30.000Z' }).reply(200, { data: [], next_page: null }, json);
    const page = await tasksAdapter.listChanged(ctx(), { cursor: { since: '2026-11-29T10:00:00.000Z', offset: null, max: null, sync: 'tok-1' }, scope, pageSize: 500 });
    expect(page).toEqual({ records: [], hasMore: false, cursor: { since: '2026-11-29T10:00:00.000Z', offset: null, max: null, sync: 'tok-1' } });
  });

  it('an expired offset (400) lists again from the start of the listing', async () => {
    list({ limit: '50', offset: 'stale' }).reply(400, { errors: [{ message: 'offset: Your pagination token has expired.' }] }, json);
    list({ limit: '50' }).reply(200, { data: [task('1', '2026-11-29T09:00:00.000Z')], next_page: null }, json);
    const c = ctx();
    const page = await tasksAdapter.listChanged(c, { cursor: { since: null, offset: 'stale', max: '2026-11-29T12:00:00.000Z', sync: 'tok-1' }, scope, pageSize: 50 });
    // The newest time of the abandoned listing is forgotten with it.
    expect(page).toMatchObject({ hasMore: false, cursor: { since: '2026-11-29T09:00:00.000Z', offset: null } });
    expect(c.logs.join('\n')).toMatch(/refused the pagination offset/);
  });

  it('429 with Retry-After surfaces as rate_limited carrying the wait (the session pauses the connection)', async () => {
    freshToken();
    list({ limit: '10' }).reply(429, { errors: [{ message: 'You have made too many requests recently.' }] }, { ...json, 'retry-after': '42' });
    const err = (await caught(() => tasksAdapter.listChanged(ctx(), { cursor: null, scope, pageSize: 10 }))) as AppError;
    expect(err.code).toBe('rate_limited');
    expect(err.details).toMatchObject({ provider: 'asana', retryAfterSeconds: 42 });
  });

  it('a cursor it did not write is sync_cursor_expired (a full pull follows); a rule without a project is refused', async () => {
    expect(((await caught(() => tasksAdapter.listChanged(ctx(), { cursor: { sync: 'token' }, scope, pageSize: 10 }))) as AppError).code).toBe('sync_cursor_expired');
    // One written before the events API was read (no token): a full pull, which the engine sweeps.
    expect(((await caught(() => tasksAdapter.listChanged(ctx(), { cursor: { since: '2026-11-29T10:00:00.000Z', offset: null, max: null }, scope, pageSize: 10 }))) as AppError).code).toBe('sync_cursor_expired');
    expect(((await caught(() => tasksAdapter.listChanged(ctx(), { cursor: null, scope: {}, pageSize: 10 }))) as AppError).code).toBe('sync_mapping_mismatch');
  });

  it('reads assignee emails once per distinct assignee; one it may not see (403) syncs without an email', async () => {
    freshToken();
    list({ limit: '10' }).reply(
      200,
      {
        data: [
          task('1', '2026-11-29T09:00:00.000Z', { assignee: { gid: '1100', resource_type: 'user' }, tags: [{ gid: '7', resource_type: 'tag', name: 'urgent' }] }),
          task('2', '2026-11-29T09:01:00.000Z', { assignee: { gid: '1100', resource_type: 'user' } }),
          task('3', '2026-11-29T09:02:00.000Z', { assignee: { gid: '1199', resource_type: 'user' } }),
        ],
        next_page: null,
      },
      json,
    );
    nock(API).get('/api/1.0/users/1100').query({ opt_fields: 'email' }).reply(200, { data: { gid: '1100', email: 'ada@example.com' } }, json);
    nock(API).get('/api/1.0/users/1199').query({ opt_fields: 'email' }).reply(403, { errors: [{ message: 'Forbidden' }] }, json);
    const page = await tasksAdapter.listChanged(ctx(), { cursor: null, scope, pageSize: 10 });
    expect(page.records.map((r) => [r.id, r.fields.assignee_email, r.fields.tags])).toEqual([
      ['1', 'ada@example.com', ['urgent']],
      ['2', 'ada@example.com', []],
      ['3', null, []],
    ]);
  });

  it('get and findByMarker answer null on 404; delete takes 404 as already gone', async () => {
    nock(API).get('/api/1.0/tasks/404404').query({ opt_fields: TASK_OPT_FIELDS }).reply(404, { errors: [{ message: 'task: Unknown object' }] }, json);
    nock(API).get('/api/1.0/tasks/external:patchbay-k1').query({ opt_fields: TASK_OPT_FIELDS }).reply(200, { data: task('55', '2026-11-29T09:00:00.000Z') }, json);
    nock(API).delete('/api/1.0/tasks/404404').reply(404, { errors: [{ message: 'task: Unknown object' }] }, json);
    expect(await tasksAdapter.get(ctx(), '404404', scope)).toBeNull();
    expect(await tasksAdapter.findByMarker!(ctx(), 'k1', scope)).toMatchObject({ id: '55' });
    await tasksAdapter.delete(ctx(), '404404', scope);
  });

  it('an update with nothing Asana lets us write reads the task instead of sending an empty PUT', async () => {
    nock(API).get('/api/1.0/tasks/55').query({ opt_fields: TASK_OPT_FIELDS }).reply(200, { data: task('55', '2026-11-29T09:00:00.000Z') }, json);
    expect(await tasksAdapter.update(ctx(), '55', { tags: ['x'], created_at: 'y' }, scope)).toMatchObject({ id: '55' });
  });

  it('a task without a gid is a provider_error', async () => {
    freshToken();
    list({ limit: '10' }).reply(200, { data: [{ name: 'No gid' }] }, json);
    const err = (await caught(() => tasksAdapter.listChanged(ctx(), { cursor: null, scope, pageSize: 10 }))) as AppError;
    expect(err).toMatchObject({ code: 'provider_error', message: 'Asana answered GET /tasks with a task without a gid' });
  });

  describe('deletes from the events API', () => {
    const since = '2026-11-29T08:00:00.000Z';
    const cursor = { since, offset: null, max: null, sync: 'tok-1' };
    const project = ref(PROJECT, 'project');

    it('a full pull starts without a token and keeps the fresh one from the 412 answer; it reads no events', async () => {
      freshToken('tok-fresh');
      list({ limit: '10' }).reply(200, { data: [task('1', '2026-11-29T09:00:00.000Z')], next_page: null }, json);
      const page = await tasksAdapter.listChanged(ctx(), { cursor: null, scope, pageSize: 10 });
      expect(page).toMatchObject({ hasMore: false, cursor: { since: '2026-11-29T09:00:00.000Z', offset: null, max: null, sync: 'tok-fresh' } });
      expect(page.records.map((r) => r.id)).toEqual(['1']);
    });

    it('deleted, or removed from the project, is a tombstone at the event time, ahead of the listed tasks; a section move, an add back, a subtask elsewhere are not', async () => {
      events('tok-1').reply(
        200,
        {
          data: [
            event('changed', '10', '2026-11-29T08:01:00.000Z'),
            event('deleted', '11', '2026-11-29T08:02:00.000Z'),
            event('removed', '12', '2026-11-29T08:03:00.000Z', project),
            event('removed', '13', '2026-11-29T08:04:00.000Z', ref('555', 'section')),
            event('removed', '14', '2026-11-29T08:05:00.000Z', project),
            event('added', '14', '2026-11-29T08:06:00.000Z', project),
            event('removed', '15', '2026-11-29T08:07:00.000Z', ref('999', 'project')),
            event('deleted', '16', '2026-11-29T08:08:00.000Z', null, 'story'),
          ],
          sync: 'tok-2',
          has_more: false,
        },
        json,
      );
      list({ limit: '10', modified_since: '2026-11-29T07:59:30.000Z' }).reply(200, { data: [task('10', '2026-11-29T08:01:00.000Z'), task('14', '2026-11-29T08:06:00.000Z')], next_page: null }, json);
      const page = await tasksAdapter.listChanged(ctx(), { cursor, scope, pageSize: 10 });
      expect(page.records.map((r) => [r.id, r.deleted ?? false, r.updatedAt])).toEqual([
        ['11', true, '2026-11-29T08:02:00.000Z'],
        ['12', true, '2026-11-29T08:03:00.000Z'],
        ['10', false, '2026-11-29T08:01:00.000Z'],
        ['14', false, '2026-11-29T08:06:00.000Z'],
      ]);
      expect(page.records[0]).toEqual({ id: '11', updatedAt: '2026-11-29T08:02:00.000Z', deleted: true, fields: {} });
      // The newest modified_at moves the cursor, not an event's time; the new token is kept.
      expect(page).toMatchObject({ hasMore: false, cursor: { since: '2026-11-29T08:06:00.000Z', sync: 'tok-2' } });
    });

    it('has_more: the tombstones of this answer and the next token, the listing after the last answer', async () => {
      events('tok-1').reply(200, { data: [event('deleted', '11', '2026-11-29T08:02:00.000Z')], sync: 'tok-2', has_more: true }, json);
      const first = await tasksAdapter.listChanged(ctx(), { cursor, scope, pageSize: 10 });
      expect(first).toEqual({ records: [{ id: '11', updatedAt: '2026-11-29T08:02:00.000Z', deleted: true, fields: {} }], hasMore: true, cursor: { ...cursor, sync: 'tok-2' } });
      events('tok-2').reply(200, { data: [event('deleted', '12', '2026-11-29T08:03:00.000Z')], sync: 'tok-3', has_more: false }, json);
      list({ limit: '10', modified_since: '2026-11-29T07:59:30.000Z' }).reply(200, { data: [], next_page: null }, json);
      const second = await tasksAdapter.listChanged(ctx(), { cursor: first.cursor, scope, pageSize: 10 });
      expect(second).toEqual({ records: [{ id: '12', updatedAt: '2026-11-29T08:03:00.000Z', deleted: true, fields: {} }], hasMore: false, cursor: { ...cursor, sync: 'tok-3' } });
    });

    it('412 on the stored token (it expired) is sync_cursor_expired, and nothing is listed', async () => {
      events('tok-1').reply(412, { errors: [{ message: TOO_OLD }], sync: 'tok-fresh' }, json);
      const err = (await caught(() => tasksAdapter.listChanged(ctx(), { cursor, scope, pageSize: 10 }))) as AppError;
      expect(err).toMatchObject({ code: 'sync_cursor_expired', details: { provider: 'asana', status: 412 } });
      expect(err.message).toMatch(/412/);
    });

    it('403 on GET /events is a provider_error naming the permission, not refused credentials (the connection is not errored)', async () => {
      events().reply(403, { errors: [{ message: 'Forbidden' }] }, json);
      const err = (await caught(() => tasksAdapter.listChanged(ctx(), { cursor: null, scope, pageSize: 10 }))) as AppError;
      expect(err).toMatchObject({ code: 'provider_error', details: { provider: 'asana', status: 403 } });
      expect(err.message).toMatch(/Full permissions/);
    });

    it('declares tombstones, and a full pull that lists the whole project (so the engine sweeps it)', () => {
      expect(tasksAdapter).toMatchObject({ reportsDeletes: true, fullPullListsAll: true });
    });
  });
});
