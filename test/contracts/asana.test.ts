import { describe, expect, it } from 'vitest';
import { asana } from '../../src/providers/asana/index.ts';
import { eventsExpired, eventsPage, taskEnvelope, taskPage } from '../../src/providers/asana/adapters/records.ts';
import { tasksAdapter } from '../../src/providers/asana/adapters/tasks.ts';
import { meResponseSchema } from '../../src/providers/asana/connector.ts';
import { testContext } from '../providers/helpers.ts';
import { instances, loadOpenApi, responseSchema } from './describe.ts';
import { exercise, expectFixtureValid, expectRequestsValid, expectSchemaNotStricter, type Reply } from './harness.ts';

const doc = loadOpenApi('asana.openapi.json');
const creds = { type: 'oauth2' as const, accessToken: 'asana-access-0123456789', refreshToken: 'asana-refresh-9876543210', scopes: [] };
const client = { clientId: 'asana-client', clientSecret: 'asana-secret-abcdef' };
const [minimal, full] = instances(doc, responseSchema(doc, 'GET', '/api/1.0/users/me', 200));
// The description's own examples of a task and of a page of tasks (every property filled in).
const [, fullTask] = instances(doc, responseSchema(doc, 'GET', '/api/1.0/tasks/1', 200)) as [unknown, { data: { gid: string; assignee: { gid: string } } }];
const [, fullPage] = instances(doc, responseSchema(doc, 'GET', '/api/1.0/tasks', 200)) as [unknown, { data: unknown[]; next_page: { offset: string } }];
const [, fullCreated] = instances(doc, responseSchema(doc, 'POST', '/api/1.0/tasks', 201));
// The description's events answer (200) and its 412 for a missing or expired sync token.
const [, fullEvents] = instances(doc, responseSchema(doc, 'GET', '/api/1.0/events', 200)) as [unknown, { sync: string }];
const [, fullExpired] = instances(doc, responseSchema(doc, 'GET', '/api/1.0/events', 412)) as [unknown, { sync: string }];
const PROJECT = '1207894561234567';
const scope = { project: PROJECT };
const ctx = () => testContext({ provider: asana, credentials: creds });
/** The assignee of the examples is looked up for its email. */
const assignee: Reply = { method: 'GET', path: `/api/1.0/users/${fullTask.data.assignee.gid}`, status: 200, body: full };
const mapped = { name: 'Write the spec [1h30m]', notes: 'First & second', completed: false, due_on: '2026-12-24', assignee_email: 'ada@example.com', tags: ['ignored'], created_at: 'ignored' };

describe('Asana against its OpenAPI description', () => {
  it('names its source', () => expect(doc.source).toContain('Asana/openapi : defs/asana_oas.yaml'));

  it('test: GET /users/{user_gid} with opt_fields from the enum only', async () => {
    const reqs = await exercise('https://app.asana.com', [{ method: 'GET', path: '/api/1.0/users/me', status: 200, body: full }], () =>
      asana.connector.test(testContext({ provider: asana, credentials: creds })),
    );
    expectRequestsValid(doc, reqs);
  });

  it('revoke goes to /-/oauth_revoke, an OAuth endpoint outside the API description', async () => {
    const reqs = await exercise('https://app.asana.com', [{ method: 'POST', path: '/-/oauth_revoke', status: 200 }], () =>
      asana.connector.revoke!(testContext({ provider: asana, credentials: creds, oauthClient: client })),
    );
    expect(reqs.map((r) => r.url.pathname)).toEqual(['/-/oauth_revoke']);
  });

  it('the response schema is not stricter than the description', () => {
    expectSchemaNotStricter(doc, 'GET', '/api/1.0/users/me', meResponseSchema);
    expect(minimal).toEqual({});
  });

  describe('the tasks sync adapter', () => {
    it('listChanged: GET /tasks with project, limit, modified_since, offset and opt_fields from the enum only', async () => {
      // A page holds compact tasks in the description (no assignee to look up).
      let page: unknown;
      const reqs = await exercise('https://app.asana.com', [{ method: 'GET', path: '/api/1.0/tasks', status: 200, body: fullPage }], async () => {
        page = await tasksAdapter.listChanged(ctx(), { cursor: { since: '2026-11-29T08:00:00.000Z', offset: 'eyJ0eXAiOJiKV1iQLCJhbGciOiJIUzI1NiJ9', max: null, sync: 'de4774f6915eae04714ca93bb2f5ee81' }, scope, pageSize: 500 });
      });
      expect(page).toMatchObject({ hasMore: true, cursor: { since: '2026-11-29T08:00:00.000Z', offset: fullPage.next_page.offset } });
      expect(reqs.map((r) => r.url.pathname)).toEqual(['/api/1.0/tasks']);
      expect(Object.fromEntries(reqs[0]!.url.searchParams)).toMatchObject({ project: PROJECT, limit: '100', modified_since: '2026-11-29T07:59:30.000Z' });
      expectRequestsValid(doc, reqs);
    });

    it('listChanged at a listing\'s start: GET /events with resource, sync and opt_fields from the enum, then GET /tasks', async () => {
      let page: unknown;
      const events: Reply = { method: 'GET', path: '/api/1.0/events', status: 200, body: { ...fullEvents, has_more: false } };
      const reqs = await exercise('https://app.asana.com', [events, { method: 'GET', path: '/api/1.0/tasks', status: 200, body: { data: [], next_page: null } }], async () => {
        page = await tasksAdapter.listChanged(ctx(), { cursor: { since: '2026-11-29T08:00:00.000Z', offset: null, max: null, sync: 'de4774f6915eae04714ca93bb2f5ee81' }, scope, pageSize: 100 });
      });
      expect(reqs.map((r) => r.url.pathname)).toEqual(['/api/1.0/events', '/api/1.0/tasks']);
      expect(Object.fromEntries(reqs[0]!.url.searchParams)).toEqual({ resource: PROJECT, sync: 'de4774f6915eae04714ca93bb2f5ee81', opt_fields: 'action,created_at,parent,resource' });
      expect(page).toMatchObject({ hasMore: false, cursor: { sync: fullEvents.sync } });
      expectRequestsValid(doc, reqs);
    });

    it('a full pull: GET /events without sync, answered 412 with the fresh token it keeps', async () => {
      let page: unknown;
      const reqs = await exercise('https://app.asana.com', [{ method: 'GET', path: '/api/1.0/events', status: 412, body: fullExpired }, { method: 'GET', path: '/api/1.0/tasks', status: 200, body: { data: [], next_page: null } }], async () => {
        page = await tasksAdapter.listChanged(ctx(), { cursor: null, scope, pageSize: 100 });
      });
      expect(reqs[0]!.url.searchParams.has('sync')).toBe(false);
      expect(page).toMatchObject({ cursor: { sync: fullExpired.sync } });
      expectRequestsValid(doc, reqs);
    });

    it('get and findByMarker: GET /tasks/{task_gid} (a gid, or external:<marker>)', async () => {
      let got: unknown;
      const reqs = await exercise('https://app.asana.com', [{ method: 'GET', path: '/api/1.0/tasks/1204', status: 200, body: fullTask }, assignee], async () => {
        got = await tasksAdapter.get(ctx(), '1204', scope);
      });
      expect(got).toMatchObject({ id: fullTask.data.gid, fields: { assignee_email: 'gsanchez@example.com', tags: ['Stuff to buy'] } });
      const marker = await exercise('https://app.asana.com', [{ method: 'GET', path: '/api/1.0/tasks/external:patchbay-key-1', status: 404, body: { errors: [{ message: 'Not found' }] } }], () =>
        tasksAdapter.findByMarker!(ctx(), 'key-1', scope),
      );
      expect(marker.map((r) => r.url.pathname)).toEqual(['/api/1.0/tasks/external:patchbay-key-1']);
      expectRequestsValid(doc, [...reqs, ...marker]);
    });

    it('create: POST /tasks with a { data } TaskCreateRequest naming the project and the external gid', async () => {
      const reqs = await exercise('https://app.asana.com', [{ method: 'POST', path: '/api/1.0/tasks', status: 201, body: fullCreated }, assignee], () =>
        tasksAdapter.create(ctx(), mapped, { idempotencyKey: 'key-1', scope }),
      );
      expect(JSON.parse(reqs[0]!.body)).toEqual({
        data: { name: 'Write the spec [1h30m]', notes: 'First & second', completed: false, due_on: '2026-12-24', assignee: 'ada@example.com', projects: [PROJECT], external: { gid: 'patchbay-key-1' } },
      });
      expectRequestsValid(doc, reqs);
    });

    it('update: PUT /tasks/{task_gid} with a { data } TaskUpdateRequest (null assignee unassigns, null notes clear)', async () => {
      const reqs = await exercise('https://app.asana.com', [{ method: 'PUT', path: '/api/1.0/tasks/1204', status: 200, body: fullTask }, assignee], () =>
        tasksAdapter.update(ctx(), '1204', { name: 'Renamed', completed: true, assignee_email: null, notes: null, due_on: null }, scope),
      );
      expect(JSON.parse(reqs[0]!.body)).toEqual({ data: { name: 'Renamed', completed: true, assignee: null, notes: '', due_on: null } });
      expectRequestsValid(doc, reqs);
    });

    it('delete: DELETE /tasks/{task_gid}, no body', async () => {
      const reqs = await exercise('https://app.asana.com', [{ method: 'DELETE', path: '/api/1.0/tasks/1204', status: 200, body: { data: {} } }], () => tasksAdapter.delete(ctx(), '1204', scope));
      expectRequestsValid(doc, reqs);
    });

    it('the task schemas are not stricter than the description, and the fixtures are valid', () => {
      expectSchemaNotStricter(doc, 'GET', '/api/1.0/tasks/1', taskEnvelope);
      expectSchemaNotStricter(doc, 'GET', '/api/1.0/tasks', taskPage);
      expectFixtureValid(doc, 'GET', '/api/1.0/tasks', 200, fullPage);
      expectSchemaNotStricter(doc, 'GET', '/api/1.0/events', eventsPage);
      for (const expired of instances(doc, responseSchema(doc, 'GET', '/api/1.0/events', 412))) expect(eventsExpired.safeParse(expired).success).toBe(true);
      expectFixtureValid(doc, 'GET', '/api/1.0/events', 200, { ...fullEvents, has_more: false });
      expectFixtureValid(doc, 'GET', '/api/1.0/events', 412, fullExpired);
    });
  });
});
