/**
 * Zapier's REST hook convention end to end, with a local receiver standing in for Zapier's hook
 * URL: the app's auth test, subscribe (Admins only), an event delivered signed to the Zap's URL,
 * a 410 Gone that removes the endpoint (not disables it), unsubscribe, and sample payloads.
 */
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { errorBody } from '../helpers/app.ts';
import { memberWithToken } from '../helpers/members.ts';
import { eventually, sql } from '../helpers/sql.ts';
import { webhookTest } from '../webhooks/support.ts';

const t = webhookTest({ PUBLIC_URL: 'https://patchbay.test' });
const rows = (text: string, values: unknown[] = []) => sql(t.app.dbUrl, text, values);

async function subscribe(json: Record<string, unknown>, token?: string) {
  return await t.app.fetch('/api/v1/zapier/hooks', { method: 'POST', json, ...(token ? { token } : {}) });
}

async function secretOf(id: string): Promise<string> {
  const { loadTarget } = await import('../../src/webhooks/drain.ts');
  const target = await loadTarget(t.app.pb.rt, t.app.pb.rt.em(), id);
  return target!.secrets[0]!;
}

describe('Zapier REST hooks', () => {
  it('GET /zapier/me is the auth test: workspace, member, and whether the token may subscribe', async () => {
    const me = await t.app.json('/api/v1/zapier/me');
    expect(me).toMatchObject({ workspace: { slug: 'default' }, member: { role: 'owner' }, canSubscribe: true });
    const { token } = await memberWithToken(t.app, 'member');
    expect(await t.app.json('/api/v1/zapier/me', { token })).toMatchObject({ member: { role: 'member' }, canSubscribe: false });
    const res = await t.app.fetch('/api/v1/zapier/me', { token: 'pb_not-a-real-token-at-all' });
    expect(res.status).toBe(401);
  });

  it("a Member's token may not subscribe: 403, nothing created", async () => {
    const { token } = await memberWithToken(t.app, 'member');
    const res = await subscribe({ hookUrl: t.rx.url, event: 'task_added' }, token);
    expect(res.status).toBe(403);
    expect((await errorBody(res)).code).toBe('forbidden');
    expect(await rows('select id from webhook_endpoints')).toEqual([]);
  });

  it('an unknown event type or a bad hook URL is a 400 naming the field', async () => {
    let res = await subscribe({ hookUrl: t.rx.url, event: 'task_exploded' });
    expect(res.status).toBe(400);
    let body = await errorBody(res);
    expect(body.code).toBe('validation_failed');
    expect(body.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'event', message: expect.stringContaining("'task_exploded' is not an event type") })]));
    res = await subscribe({ hookUrl: 'ftp://hooks.zapier.example/x', event: 'task_added' });
    expect(res.status).toBe(400);
    body = await errorBody(res);
    expect(body.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'hookUrl' })]));
    res = await subscribe({ event: 'task_added' });
    expect(res.status).toBe(400);
    expect(await rows('select id from webhook_endpoints')).toEqual([]);
  });

  it('subscribe → an event → a signed delivery to the hook URL → 410 removes the endpoint; no further deliveries', async () => {
    const { token } = await memberWithToken(t.app, 'admin');
    const res = await subscribe({ hookUrl: t.rx.url, event: 'task_added' }, token);
    expect(res.status).toBe(201);
    const hook = (await res.json()) as { id: string; event: string };
    expect(hook).toMatchObject({ id: expect.any(String), event: 'task_added' });
    // A retried subscribe (same hook URL and event) answers the same endpoint, not a second one.
    const again = await subscribe({ hookUrl: t.rx.url, event: 'task_added' }, token);
    expect(((await again.json()) as { id: string }).id).toBe(hook.id);
    const [row] = await rows('select source, status, url, event_types from webhook_endpoints where id = $1', [hook.id]);
    expect(row).toEqual({ source: 'zapier', status: 'active', url: t.rx.url, event_types: ['task_added'] });
    // Admins see where it came from, in the API and in chat.
    const list = await t.app.json('/api/v1/webhooks');
    expect(list.data).toEqual([expect.objectContaining({ id: hook.id, source: 'zapier', eventTypes: ['task_added'] })]);

    const task = await t.addTask('Send the invoice');
    const [got] = await t.rx.waitFor(1);
    const payload = new Webhook(await secretOf(hook.id)).verify(got!.body, got!.headers as Record<string, string>) as Record<string, unknown>;
    expect(payload).toMatchObject({ eventType: 'task_added', entityId: task.id, entity: { title: 'Send the invoice' } });

    // Zapier says the hook is gone (the Zap was deleted): the endpoint is removed, not disabled.
    t.rx.fallback = { status: 410, body: '{"status":"gone"}' };
    await t.addTask('Nobody listens');
    await t.rx.waitFor(2);
    await eventually(async () => (await rows('select id from webhook_endpoints where id = $1', [hook.id])).length === 0);
    expect(await rows('select id from webhook_deliveries where endpoint_id = $1', [hook.id])).toEqual([]);
    const [removed] = await eventually(async () => {
      const r = await rows(`select type, data, snapshot from domain_events where type = 'webhook_removed' and entity_id = $1`, [hook.id]);
      return r.length ? r : null;
    });
    expect(removed).toMatchObject({ data: { by: 'auto', lastStatusCode: 410 }, snapshot: { source: 'zapier', url: new URL(t.rx.url).origin } });
    expect(await rows(`select action, outcome from audit_logs where target_id = $1 and action = 'webhook.delete'`, [hook.id])).toEqual([{ action: 'webhook.delete', outcome: 'success' }]);
    expect(t.app.logs.some((l) => l.includes('webhook endpoint removed') && l.includes(hook.id))).toBe(true);

    await t.addTask('Still nobody');
    await new Promise((r) => setTimeout(r, 500));
    expect(t.rx.received).toHaveLength(2);
    // Unsubscribing it afterwards (Zapier turning the Zap off) is a clear 404.
    const gone = await t.app.fetch(`/api/v1/zapier/hooks/${hook.id}`, { method: 'DELETE', token });
    expect(gone.status).toBe(404);
    expect((await errorBody(gone)).message).toContain('already removed');
  });

  it("an admin's own endpoint answering 410 is still disabled, not removed", async () => {
    const own = await t.endpoint();
    t.rx.fallback = { status: 410, body: 'gone' };
    await t.addTask('x');
    await t.rx.waitFor(1);
    const [ep] = await eventually(async () => {
      const r = await rows('select status, source from webhook_endpoints where id = $1', [own.id]);
      return r[0]?.status === 'disabled' ? r : null;
    });
    expect(ep).toEqual({ status: 'disabled', source: 'api' });
  });

  it('unsubscribe → 204 and the row gone; a member may not; only Zapier-owned endpoints', async () => {
    const res = await subscribe({ hookUrl: t.rx.url, event: 'task_updated' });
    const hook = (await res.json()) as { id: string };
    const { token } = await memberWithToken(t.app, 'member');
    let del = await t.app.fetch(`/api/v1/zapier/hooks/${hook.id}`, { method: 'DELETE', token });
    expect(del.status).toBe(403);
    del = await t.app.fetch(`/api/v1/zapier/hooks/${hook.id}`, { method: 'DELETE' });
    expect(del.status).toBe(204);
    expect(await rows('select id from webhook_endpoints where id = $1', [hook.id])).toEqual([]);
    const [ev] = await rows(`select data from domain_events where type = 'webhook_removed' and entity_id = $1`, [hook.id]);
    expect(ev).toMatchObject({ data: { by: 'zapier', lastStatusCode: null } });
    // An admin's endpoint cannot be unsubscribed through Zapier's route.
    const own = await t.endpoint();
    del = await t.app.fetch(`/api/v1/zapier/hooks/${own.id}`, { method: 'DELETE' });
    expect(del.status).toBe(404);
    expect(await rows('select id from webhook_endpoints where id = $1', [own.id])).toHaveLength(1);
  });

  it('samples: the catalog example before any event, then recent events in the delivered shape, each with an id', async () => {
    const { token } = await memberWithToken(t.app, 'member');
    let samples = await t.app.json('/api/v1/zapier/samples/contact_added', { token });
    expect(samples).toEqual([expect.objectContaining({ id: 'sample_contact_added', eventType: 'contact_added', entityType: 'contact' })]);

    const task = await t.addTask('Sampled task');
    samples = await t.app.json('/api/v1/zapier/samples/task_added', { token });
    expect(Array.isArray(samples)).toBe(true);
    const first = samples[0];
    expect(first).toMatchObject({ id: String(first.eventId), eventType: 'task_added', entityId: task.id, entity: { title: 'Sampled task' }, entityLink: `https://patchbay.test/api/v1/tasks/${task.id}` });
    // Exactly the delivered keys, plus id.
    expect(Object.keys(first).sort()).toEqual(['data', 'entity', 'entityId', 'entityLink', 'entityType', 'eventId', 'eventType', 'id', 'timestamp', 'traceId', 'triggeredBy', 'version']);
    expect(samples.length).toBeLessThanOrEqual(3);

    const res = await t.app.fetch('/api/v1/zapier/samples/nope', { token });
    expect(res.status).toBe(400);
    expect((await errorBody(res)).details).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'eventType' })]));
  });
});
