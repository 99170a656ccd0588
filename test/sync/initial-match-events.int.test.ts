/**
 * Initial match of calendar events against the Google Calendar fake: by provider id (a local
 * event another rule already links to that Google event), else by exact title + start instant.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connection } from '../../src/entities/connection.ts';
import { SyncRule } from '../../src/entities/sync-rule.ts';
import { requestRun } from '../../src/sync/schedule.ts';
import { createWorkspace } from '../../src/workspaces/workspaces.ts';
import { FakeGoogleCalendar } from '../fakes/google-calendar.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { sql } from '../helpers/sql.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ workers: true, env: { SYNC_PAGE_SIZE: '2' } });
}, 60_000);
afterAll(async () => app?.close());

const berlin = (day: string, from: string, to: string) => ({
  start: { dateTime: `${day}T${from}:00+01:00`, timeZone: 'Europe/Berlin' },
  end: { dateTime: `${day}T${to}:00+01:00`, timeZone: 'Europe/Berlin' },
});

function googleConnection(workspaceId: string, displayName: string) {
  const em = app.pb.rt.em();
  const conn = em.create(Connection, {
    workspace: workspaceId,
    providerSlug: 'google-calendar',
    displayName,
    authKind: 'oauth2',
    credentials: app.pb.rt.vault.encrypt({ type: 'oauth2', accessToken: 'ya29.test-access', refreshToken: '1//test-refresh', scopes: ['https://www.googleapis.com/auth/calendar.events'] }),
  });
  return { em, conn };
}

describe('initial match of calendar events', () => {
  it('pairs by provider id first, then by title + start; the preview and the run agree', async () => {
    const fake = new FakeGoogleCalendar();
    fake.put('primary', { id: 'evstandup1', summary: 'Standup', ...berlin('2027-03-04', '09:00', '09:15') });
    fake.put('primary', { id: 'evlinked1', summary: 'Renamed at Google', ...berlin('2027-03-05', '11:00', '12:00') });
    fake.put('primary', { id: 'evonly1', summary: 'Only at Google', ...berlin('2027-03-06', '11:00', '12:00') });
    fake.serve('list', 'insert', 'get', 'update');
    const ws = await createWorkspace(app.pb.rt.em(), { name: 'Match events', slug: 'match-events', ownerName: 'Ada', ownerEmail: 'ada@match-events.example' });
    const token = ws.token;
    const event = async (title: string, startAt: string, endAt: string) => (await app.json('/api/v1/calendar-events', { method: 'POST', token, json: { title, startAt, endAt } })).id as string;
    // The same instant as Google's 09:00 Berlin time.
    const standup = await event('Standup', '2027-03-04T08:00:00.000Z', '2027-03-04T08:15:00.000Z');
    // Neither title nor start agree: only the other rule's link pairs it with evlinked1.
    const linked = await event('Old name', '2027-03-05T09:00:00.000Z', '2027-03-05T10:00:00.000Z');
    await event('Only here', '2027-03-07T09:00:00.000Z', '2027-03-07T10:00:00.000Z');

    // Another connection's rule already links `linked` to Google's evlinked1.
    const { em, conn: other } = googleConnection(ws.workspace.id, 'Google (old rule)');
    await em.flush();
    const otherRule = em.create(SyncRule, { workspace: ws.workspace.id, connection: other.id, localObject: 'calendar_events', remoteObject: 'events', direction: 'in', mapping: [], enabled: false, pullCursor: null, matchedAt: new Date() });
    await em.flush();
    await sql(app.dbUrl, `insert into sync_links (rule_id, local_id, remote_id, snapshot, created_at, updated_at) values ($1, $2, 'evlinked1', '{"v":{},"m":{}}', now(), now())`, [otherRule.id, linked]);

    const { em: em2, conn } = googleConnection(ws.workspace.id, 'Google Calendar');
    await em2.flush();
    const res = await app.fetch(`/api/v1/connections/${conn.id}/rules`, { method: 'POST', token, json: { remoteObject: 'events', direction: 'both', enabled: false } });
    const ruleId = ((await res.json()) as any).rule.id as string;
    expect(res.status).toBe(201);

    const p = (await app.json(`/api/v1/connections/${conn.id}/rules/${ruleId}/preview`, { token })) as any;
    expect(p).toMatchObject({ firstRun: true, link: 2, createRemote: 1, createLocal: 1, ambiguousCount: 0 });
    expect(p.summary).toBe('Will link 2, create 1 in Google Calendar, create 1 here.');

    const { run } = await requestRun(app.pb.rt.em(), ws.workspace.id, ruleId, { trigger: 'manual' });
    let done: any;
    for (let i = 0; i < 400 && !done; i++) {
      const r = await app.json(`/api/v1/connections/${conn.id}/sync-runs/${run.id}`, { token });
      if (r.status === 'succeeded' || r.status === 'failed') done = r;
      else await sleep(50);
    }
    // The pair matched by provider id differs: the later write (here, the local event) wins, without a conflict.
    expect(done, JSON.stringify(done)).toMatchObject({ status: 'succeeded', counts: { pushed: 2, errors: 0, conflicts: 0 } });
    expect(fake.event('primary', 'evlinked1')?.summary).toBe('Old name');
    const links = await sql<{ local_id: string; remote_id: string }>(app.dbUrl, 'select local_id, remote_id from sync_links where rule_id = $1 order by remote_id', [ruleId]);
    expect(links.find((l) => l.remote_id === 'evstandup1')?.local_id).toBe(standup);
    expect(links.find((l) => l.remote_id === 'evlinked1')?.local_id).toBe(linked);
    expect(links).toHaveLength(4);
    expect(fake.events('primary').filter((e) => e.status !== 'cancelled')).toHaveLength(4);
    expect((await sql(app.dbUrl, 'select 1 from calendar_events where workspace_id = $1 and deleted_at is null', [ws.workspace.id])).length).toBe(4);
  });
});
