/**
 * A change and its event commit together or not at all, and concurrent writers cannot both see
 * the old status: shown against real PostgreSQL, with a trigger that makes the event insert fail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBody, json, startTestApp, type TestApp } from '../helpers/app.ts';
import { sql } from '../helpers/sql.ts';
import { eventsOf } from './support.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.close();
});

describe('work data: one transaction per change', () => {
  it('saves nothing when its event cannot be written', async () => {
    const task = await app.json('/api/v1/tasks', { method: 'POST', json: { title: 'Keep me' } });
    await sql(
      app.dbUrl,
      `create function refuse_task_events() returns trigger as $$ begin
         if new.type like 'task_%' then raise exception 'no task events today'; end if; return new; end $$ language plpgsql;
       create trigger refuse_task_events before insert on domain_events for each row execute function refuse_task_events();`,
    );
    try {
      const created = await app.fetch('/api/v1/tasks', { method: 'POST', json: { title: 'Never saved' } });
      expect(created.status).toBe(500);
      expect((await errorBody(created)).code).toBe('internal_error');
      const changed = await app.fetch(`/api/v1/tasks/${task.id}`, { method: 'PATCH', json: { title: 'Changed' } });
      expect(changed.status).toBe(500);
      expect((await app.fetch(`/api/v1/tasks/${task.id}`, { method: 'DELETE' })).status).toBe(500);
    } finally {
      await sql(app.dbUrl, 'drop trigger refuse_task_events on domain_events; drop function refuse_task_events();');
    }
    expect(await sql(app.dbUrl, `select title, deleted_at from tasks order by created_at`)).toEqual([{ title: 'Keep me', deleted_at: null }]);
    expect((await eventsOf(app, task.id)).map((e) => e.type)).toEqual(['task_added']);
  });

  it('lets only one of three concurrent PATCHes report the status change', async () => {
    const task = await app.json('/api/v1/tasks', { method: 'POST', json: { title: 'Race' } });
    const results = await Promise.all([1, 2, 3].map(() => app.fetch(`/api/v1/tasks/${task.id}`, { method: 'PATCH', json: { status: 'done' } })));
    for (const r of results) expect(r.status).toBe(200);
    for (const r of results) expect((await json(r)).status).toBe('done');
    expect((await eventsOf(app, task.id)).map((e) => e.type)).toEqual(['task_added', 'task_updated', 'task_status_changed']);
  });
});
