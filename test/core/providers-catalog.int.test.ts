import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBody, startTestApp, type TestApp } from '../helpers/app.ts';
import { memberWithToken } from '../helpers/members.ts';
import { sql } from '../helpers/sql.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ env: { PROVIDER_LINEAR_CLIENT_ID: 'instance-linear-id', PROVIDER_LINEAR_CLIENT_SECRET: 'instance-linear-secret' } });
});
afterAll(async () => {
  await app.close();
});

/** The services the product documents promise by name (25), and the built-in Sandbox. */
const PRODUCT_PROVIDERS = [
  'airtable', 'asana', 'clickup', 'discord', 'dropbox', 'github', 'gitlab', 'gmail', 'google-calendar', 'google-sheets', 'hubspot', 'jira', 'linear',
  'microsoft-365', 'microsoft-teams', 'monday', 'notion', 'pipedrive', 'salesforce', 'sandbox', 'slack', 'stripe', 'trello', 'twilio', 'zapier', 'zoho-crm',
];

describe('provider catalog and workspace OAuth apps', () => {
  it('lists every provider the product documents name, and the built-in Sandbox, with auth modes, configuration state, scopes, revoke behaviour and what syncs', async () => {
    const { data } = await app.json('/api/v1/providers', { token: (await memberWithToken(app, 'member')).token });
    expect(data.map((p: { slug: string }) => p.slug).sort()).toEqual(PRODUCT_PROVIDERS);
    const bySlug = Object.fromEntries(data.map((p: { slug: string }) => [p.slug, p]));
    expect(bySlug.linear).toMatchObject({ authModes: ['oauth2', 'api_key'], oauthConfigured: true, oauthApp: 'instance', configured: true });
    expect(bySlug.github).toMatchObject({ authModes: ['oauth2'], oauthConfigured: false, oauthApp: null, configured: false });
    expect(bySlug.twilio).toMatchObject({ authModes: ['basic'], oauthConfigured: null, configured: true, revokes: false });
    expect(bySlug.twilio.revokeNote).toMatch(/Auth Token/);
    expect(bySlug.twilio.credentialFields.map((f: { name: string }) => f.name)).toEqual(['accountSid', 'authToken']);
    // Only objects with an adapter sync; today that is the Sandbox's.
    expect(bySlug.sandbox.objects).toEqual([
      expect.objectContaining({ name: 'tasks', sync: true, localObject: 'tasks' }),
      expect.objectContaining({ name: 'contacts', sync: true, localObject: 'contacts' }),
    ]);
    expect(bySlug.github.objects.every((o: { sync: boolean }) => o.sync === false)).toBe(true);
    const pm = await app.json('/api/v1/providers?category=project_management');
    expect(pm.data.every((p: { category: string }) => p.category === 'project_management')).toBe(true);
    expect((await app.fetch('/api/v1/providers?category=nonsense')).status).toBe(400);
  });

  it("uses the workspace's own OAuth app over the instance's, never returning its secret", async () => {
    const put = await app.fetch('/api/v1/providers/linear/app', { method: 'PUT', json: { clientId: 'workspace-linear-id', clientSecret: 'workspace-linear-secret-123' } });
    expect(put.status).toBe(200);
    const body = await put.text();
    expect(body).not.toContain('workspace-linear-secret-123');
    const [row] = await sql<{ client_secret: string }>(app.dbUrl, 'select client_secret from provider_apps');
    expect(row!.client_secret).not.toContain('workspace-linear-secret');
    const started = await app.json('/api/v1/connections/oauth', { method: 'POST', json: { provider: 'linear' } });
    expect(new URL(started.authorizeUrl).searchParams.get('client_id')).toBe('workspace-linear-id');
    const catalog = await app.json('/api/v1/providers');
    expect(catalog.data.find((p: { slug: string }) => p.slug === 'linear').oauthApp).toBe('workspace');

    expect((await app.fetch('/api/v1/providers/linear/app', { method: 'DELETE' })).status).toBe(204);
    const again = await app.json('/api/v1/connections/oauth', { method: 'POST', json: { provider: 'linear', displayName: 'Linear 2' } });
    expect(new URL(again.authorizeUrl).searchParams.get('client_id')).toBe('instance-linear-id');
    const none = await app.fetch('/api/v1/providers/linear/app', { method: 'DELETE' });
    expect(none.status).toBe(404);
  });

  it('refuses an OAuth app for a credentials-only provider and an unknown provider', async () => {
    const twilio = await app.fetch('/api/v1/providers/twilio/app', { method: 'PUT', json: { clientId: 'a', clientSecret: 'bbbbbbbbbb' } });
    expect(twilio.status).toBe(400);
    const unknown = await app.fetch('/api/v1/providers/githb/app', { method: 'PUT', json: { clientId: 'a', clientSecret: 'bbbbbbbbbb' } });
    expect(unknown.status).toBe(404);
    expect((await errorBody(unknown)).message).toMatch(/Did you mean github/);
  });

  it('lets the Owner change workspace settings', async () => {
    const res = await app.json('/api/v1/workspace', { method: 'PATCH', json: { settings: { trustPlatformRoles: false } } });
    expect(res.settings.trustPlatformRoles).toBe(false);
    const [ws] = await sql<{ settings: { trustPlatformRoles: boolean } }>(app.dbUrl, `select settings from workspaces`);
    expect(ws!.settings.trustPlatformRoles).toBe(false);
    expect((await app.fetch('/api/v1/workspace', { method: 'PATCH', json: {} })).status).toBe(400);
  });
});
