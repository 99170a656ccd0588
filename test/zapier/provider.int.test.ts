/**
 * The `zapier` catalog entry: an inbound provider (Zapier holds a Patchbay token; Patchbay stores
 * nothing). The catalog lists it; connecting (API or chat) takes no credentials and explains the
 * setup; the connection's test reports the active Zapier subscriptions; Zapier's endpoints show in
 * the `webhooks` chat list marked as coming from a Zap.
 */
import { describe, expect, it } from 'vitest';
import { renderText } from '../../src/commands/render-text.ts';
import { errorBody } from '../helpers/app.ts';
import { sql } from '../helpers/sql.ts';
import { chat, linkCode } from '../commands/support.ts';
import { webhookTest } from '../webhooks/support.ts';

const t = webhookTest({ PUBLIC_URL: 'https://patchbay.test' });
const OWNER = { userId: 'U_OWNER', userName: 'olivia' };

let zaps = 0;
/** One Zap: Zapier's hook URL is unique per Zap. */
async function subscribe(event: string): Promise<string> {
  const res = await t.app.fetch('/api/v1/zapier/hooks', { method: 'POST', json: { hookUrl: `${t.rx.url}?zap=${++zaps}`, event } });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

describe('the zapier provider', () => {
  it('is in the catalog as an inbound provider, ready to connect', async () => {
    const { data } = await t.app.json('/api/v1/providers');
    const z = data.find((p: { slug: string }) => p.slug === 'zapier');
    expect(z).toMatchObject({ slug: 'zapier', displayName: 'Zapier', category: 'other', authModes: ['inbound'], configured: true, oauthConfigured: null, credentialFields: [], revokes: false });
    expect(z.authDescription).toContain('Patchbay API token');
  });

  it('connects with no credentials; its test reports the active Zapier subscriptions', async () => {
    await sql(t.app.dbUrl, "delete from connections where provider_slug = 'zapier'");
    let res = await t.app.fetch('/api/v1/connections', { method: 'POST', json: { provider: 'zapier', credentials: { apiKey: 'pb_x' } } });
    expect(res.status).toBe(400);
    expect((await errorBody(res)).message).toContain('takes no credentials');

    res = await t.app.fetch('/api/v1/connections', { method: 'POST', json: { provider: 'zapier' } });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { connection: { id: string } };
    expect(created).toMatchObject({ connection: { provider: 'zapier', authKind: 'inbound', status: 'connected' }, account: { id: 'zapier', name: expect.stringContaining('no active Zapier subscriptions') } });
    const id = created.connection.id as string;

    await subscribe('task_added');
    await subscribe('task_updated');
    await subscribe('task_added');
    // An admin's own endpoint is not Zapier's.
    await t.endpoint();
    const tested = await t.app.json(`/api/v1/connections/${id}/test`, { method: 'POST' });
    expect(tested).toMatchObject({ ok: true, account: { id: 'zapier', name: '3 active Zapier subscriptions (task_added, task_updated)' } });
    const [row] = await sql<{ metadata: { extra: Record<string, unknown> } }>(t.app.dbUrl, 'select metadata from connections where id = $1', [id]);
    expect(row!.metadata.extra).toMatchObject({ activeSubscriptions: 3, eventTypes: ['task_added', 'task_updated'] });
    // The OAuth door says how Zapier connects instead.
    res = await t.app.fetch('/api/v1/connections/oauth', { method: 'POST', json: { provider: 'zapier' } });
    expect(res.status).toBe(400);
    expect((await errorBody(res)).message).toContain('Patchbay API token');
  });

  it('chat: `connect zapier` explains the flow; `webhooks` marks Zapier endpoints', async () => {
    await sql(t.app.dbUrl, "delete from connections where provider_slug = 'zapier'");
    const c = chat(t.app);
    await c.final(OWNER, `link ${await linkCode(t.app)}`);
    await subscribe('task_added');
    let reply = await c.final(OWNER, 'connect zapier');
    let text = renderText(reply);
    expect(text).toContain('connected');
    expect(text).toContain('1 active Zapier subscription (task_added)');
    expect(text).toContain('POST /api/v1/tokens');
    expect(text).toContain('paste the token');
    // Again: explained, not duplicated.
    reply = await c.final(OWNER, 'connect zapier');
    expect(renderText(reply)).toContain('already connected');
    expect(await sql(t.app.dbUrl, "select id from connections where provider_slug = 'zapier'")).toHaveLength(1);

    reply = await c.final(OWNER, 'webhooks');
    text = renderText(reply);
    expect(text).toContain('Zapier: task_added');
    expect(text).toContain('from a Zap (Zapier)');
  });
});
