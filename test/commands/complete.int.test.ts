/**
 * Autocomplete in the chat core (what Discord asks while a user types an option): providers,
 * the linked team's live connections, command names; nothing for a team not linked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The app first (it extends zod for the OpenAPI document before any schema is made), as the server does.
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { completeOption, MAX_SUGGESTIONS } from '../../src/commands/complete.ts';
import { Connection } from '../../src/entities/connection.ts';
import { workspaceWithConnection } from '../helpers/connections.ts';
import { chat, defaultWorkspace, linkCode } from './support.ts';

const TEAM = { platform: 'discord' as const, teamId: '900000000000000001' };
const LONG = `Very long ${'name '.repeat(25)}`.trim();
const UUID_NAME = '6f1c0a2b-1111-4222-8333-444455556666';

let app: TestApp;
const ids = new Map<string, string>();

beforeAll(async () => {
  app = await startTestApp();
  const c = chat(app, { ...TEAM, channelId: 'C1' });
  await c.final({ userId: '800000000000000001', userName: 'olivia' }, `link ${await linkCode(app)}`);
  const { ws } = await defaultWorkspace(app);
  const em = app.pb.rt.em();
  const rows: Array<[string, string, string]> = [
    ['Linear Eng', 'linear', 'connected'],
    ['Sales CRM', 'hubspot', 'connected'],
    ['Ops board', 'trello', 'paused'],
    ['Old Jira', 'jira', 'disconnected'],
    [LONG, 'asana', 'connected'],
    [UUID_NAME, 'github', 'connected'],
  ];
  for (const [displayName, providerSlug] of rows) {
    const conn = em.create(Connection, {
      workspace: ws.id,
      providerSlug,
      displayName,
      authKind: 'api_key',
      credentials: app.pb.rt.vault.encrypt({ type: 'api_key', fields: { apiKey: 'x' } } as never),
    });
    ids.set(displayName, conn.id);
  }
  await em.flush();
  // Statuses change only through the lifecycle (a database trigger says so): through the API, as an admin would.
  for (const [displayName, , status] of rows) {
    if (status === 'connected') continue;
    const res = await app.fetch(`/api/v1/connections/${ids.get(displayName)}/${status === 'paused' ? 'pause' : 'disconnect'}`, { method: 'POST', json: {} });
    expect(res.status, await res.clone().text()).toBe(200);
  }
  // Another workspace's connection is never suggested.
  await workspaceWithConnection(app, { slug: 'other', provider: 'linear', displayName: 'Linear Elsewhere', credentials: { type: 'api_key', fields: { apiKey: 'y' } } as never });
}, 120_000);

afterAll(async () => {
  await app?.close();
});

describe('completing options', () => {
  it('suggests providers by slug or name, prefix matches first', async () => {
    const all = await completeOption(app.pb.rt, TEAM, 'provider', '');
    expect(all.length).toBeGreaterThan(5);
    expect(all.length).toBeLessThanOrEqual(MAX_SUGGESTIONS);
    // `hub` starts HubSpot and is inside GitHub: the prefix match comes first.
    expect(await completeOption(app.pb.rt, TEAM, 'provider', 'HUB')).toEqual([
      { name: 'HubSpot (hubspot)', value: 'hubspot' },
      { name: 'GitHub (github)', value: 'github' },
    ]);
    const cal = await completeOption(app.pb.rt, TEAM, 'provider', 'calendar');
    expect(cal.map((s) => s.value)).toContain('google-calendar');
  });

  it('suggests the linked team’s live connections, valued by name (by id when the name would not do)', async () => {
    const all = await completeOption(app.pb.rt, TEAM, 'connection', '');
    expect(all.map((s) => s.value).sort()).toEqual([ids.get(LONG), ids.get(UUID_NAME), 'Linear Eng', 'Ops board', 'Sales CRM'].sort());
    for (const s of all) {
      expect(s.name.length).toBeLessThanOrEqual(100);
      expect(s.value.length).toBeLessThanOrEqual(100);
    }
    expect(await completeOption(app.pb.rt, TEAM, 'connection', 'lin')).toEqual([{ name: 'Linear Eng — Linear', value: 'Linear Eng' }]);
    // By provider slug, and with the status when it is not connected.
    expect(await completeOption(app.pb.rt, TEAM, 'connection', 'trello')).toEqual([{ name: 'Ops board — Trello · paused', value: 'Ops board' }]);
    expect(await completeOption(app.pb.rt, TEAM, 'connection', 'crm')).toEqual([{ name: 'Sales CRM — HubSpot', value: 'Sales CRM' }]);
    expect(await completeOption(app.pb.rt, TEAM, 'connection', 'jira')).toEqual([]);
  });

  it('suggests nothing to a team that is not linked, and nothing for free text', async () => {
    expect(await completeOption(app.pb.rt, { platform: 'discord', teamId: '900000000000000002' }, 'connection', '')).toEqual([]);
    expect(await completeOption(app.pb.rt, TEAM, 'text', 'a')).toEqual([]);
    expect(await completeOption(app.pb.rt, TEAM, 'command', 'pa')).toEqual([{ name: 'pause', value: 'pause' }]);
  });
});
