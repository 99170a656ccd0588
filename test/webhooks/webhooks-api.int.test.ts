/**
 * Webhook endpoints over real HTTP and Postgres: secrets shown once, never listed; changes and
 * rotation audited; the egress guard at creation and change; signatures of the stored secrets
 * verified with the `standardwebhooks` reference library, both during a rotation's overlap.
 */
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../../src/access/api-tokens.ts';
import { Member } from '../../src/entities/member.ts';
import { Workspace } from '../../src/entities/workspace.ts';
import { loadTarget } from '../../src/webhooks/drain.ts';
import { webhookBodySchema } from '../../src/webhooks/payload.ts';
import { signDelivery } from '../../src/webhooks/sign.ts';
import { errorBody, json, startTestApp, type TestApp } from '../helpers/app.ts';
import { memberWithToken } from '../helpers/members.ts';
import { sql } from '../helpers/sql.ts';

let app: TestApp;
let memberToken = '';
let adminToken = '';

const create = (json: Record<string, unknown>, token?: string) => app.fetch('/api/v1/webhooks', { method: 'POST', json, ...(token ? { token } : {}) });
let n = 0;
/** The secrets that sign a delivery of this endpoint at `now` (what the drain job signs with). */
const signingSecrets = async (id: string, now?: Date) => (await loadTarget(app.pb.rt, app.pb.rt.em(), id, now))!.secrets;
const body = (over: Record<string, unknown> = {}) => ({ name: `Hook ${++n}`, url: 'https://93.184.215.14/patchbay', eventTypes: ['task_added', 'task_updated'], ...over });

beforeAll(async () => {
  app = await startTestApp();
  memberToken = (await memberWithToken(app, 'member')).token;
  adminToken = (await memberWithToken(app, 'admin')).token;
});
afterAll(async () => {
  await app?.close();
});

describe('webhook endpoints API', () => {
  it('creates an endpoint showing its secret once; list and get never show secrets or the authorization value', async () => {
    const res = await create(body({ name: 'Billing', authorization: { header: 'Authorization', value: 'Bearer s3cr3t-token' } }), adminToken);
    expect(res.status).toBe(201);
    const created = await json(res);
    expect(created).toMatchObject({ name: 'Billing', eventTypes: ['task_added', 'task_updated'], authorizationHeader: 'Authorization', hasAuthorization: true, status: 'active', consecutiveFailures: 0 });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);

    const list = await (await app.fetch('/api/v1/webhooks')).text();
    const one = await (await app.fetch(`/api/v1/webhooks/${created.id}`)).text();
    for (const text of [list, one]) {
      expect(text).toContain(created.id);
      expect(text).not.toContain(created.secret.slice(6, 20));
      expect(text).not.toContain('s3cr3t-token');
      expect(text).not.toMatch(/"secret"/);
    }
    expect(JSON.parse(one)).toMatchObject({ hasAuthorization: true, eventTypes: ['task_added', 'task_updated'] });
    // At rest: vault ciphertext, not the secret or the value.
    const [row] = await sql<{ secret: string; authorization_value: string }>(app.dbUrl, 'select secret, authorization_value from webhook_endpoints where id = $1', [created.id]);
    expect(row!.secret).toMatch(/^v1\./);
    expect(row!.authorization_value).toMatch(/^v1\./);
    expect(JSON.stringify(row)).not.toContain('s3cr3t');
    const [audit] = await sql(app.dbUrl, "select outcome, details from audit_logs where action = 'webhook.create' and target_id = $1", [created.id]);
    expect(audit).toMatchObject({ outcome: 'success', details: { name: 'Billing', hasAuthorization: true } });
    expect(JSON.stringify(audit)).not.toContain('s3cr3t');
  });

  it('signs with the created secret so that standardwebhooks verifies the delivery', async () => {
    const created = await json(await create(body()));
    const secrets = await signingSecrets(created.id);
    expect(secrets).toEqual([created.secret]);
    const payload = JSON.stringify({ eventType: 'task_added', entityId: 'x' });
    const headers = signDelivery(secrets, 'msg_1', payload);
    expect(new Webhook(created.secret).verify(payload, headers)).toEqual({ eventType: 'task_added', entityId: 'x' });
  });

  it('defaults to all event types and changes fields with PATCH (audited with the changed names only)', async () => {
    const created = await json(await create({ name: 'Everything', url: 'http://93.184.215.14/all' }));
    expect(created.eventTypes).toBe('all');
    expect(created.hasAuthorization).toBe(false);
    const patch = (json: unknown) => app.fetch(`/api/v1/webhooks/${created.id}`, { method: 'PATCH', json });
    let res = await patch({ eventTypes: ['contact_added'], authorization: { header: 'X-Api-Key', value: 'k-123456' } });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ eventTypes: ['contact_added'], authorizationHeader: 'X-Api-Key', hasAuthorization: true });
    res = await patch({ status: 'paused' });
    expect(await json(res)).toMatchObject({ status: 'paused', statusReason: expect.stringContaining('Paused by') });
    res = await patch({ status: 'active', authorization: null, name: 'Everything else', eventTypes: 'all' });
    expect(await json(res)).toMatchObject({ status: 'active', statusReason: null, hasAuthorization: false, authorizationHeader: null, name: 'Everything else', eventTypes: 'all' });
    const audits = await sql<{ details: { changed: string[] } }>(app.dbUrl, "select details from audit_logs where action = 'webhook.update' and target_id = $1 order by id", [created.id]);
    expect(audits.map((a) => a.details.changed)).toEqual([['eventTypes', 'authorization'], ['status'], ['name', 'eventTypes', 'authorization', 'status']]);
    expect(JSON.stringify(audits)).not.toContain('k-123456');
  });

  it('refuses a second endpoint with the same name (409)', async () => {
    await create(body({ name: 'Twin' }));
    const res = await create(body({ name: 'Twin' }));
    expect(res.status).toBe(409);
    expect((await errorBody(res)).code).toBe('conflict');
  });

  it('deletes an endpoint; an unknown id is a 404', async () => {
    const created = await json(await create(body()));
    expect((await app.fetch(`/api/v1/webhooks/${created.id}`, { method: 'DELETE' })).status).toBe(204);
    for (const [method, path] of [['GET', ''], ['PATCH', ''], ['DELETE', ''], ['POST', '/rotate-secret']] as const) {
      const res = await app.fetch(`/api/v1/webhooks/${created.id}${path}`, { method, ...(method === 'PATCH' || method === 'POST' ? { json: {} } : {}) });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    const [audit] = await sql(app.dbUrl, "select outcome from audit_logs where action = 'webhook.delete' and target_id = $1", [created.id]);
    expect(audit).toMatchObject({ outcome: 'success' });
  });

  it('rotates the secret: the new one is shown once, and during the overlap both sign and each verifies', async () => {
    const created = await json(await create(body()));
    const res = await app.fetch(`/api/v1/webhooks/${created.id}/rotate-secret`, { method: 'POST', json: { overlapHours: 48 } });
    expect(res.status).toBe(200);
    const rotated = await json(res);
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(created.secret);
    const expires = Date.parse(rotated.previousSecretExpiresAt);
    expect(expires - Date.now()).toBeGreaterThan(47.9 * 3600_000);
    expect(expires - Date.now()).toBeLessThanOrEqual(48 * 3600_000);
    expect((await app.json(`/api/v1/webhooks/${created.id}`)).previousSecretExpiresAt).toBe(rotated.previousSecretExpiresAt);

    const secrets = await signingSecrets(created.id);
    expect(secrets).toEqual([rotated.secret, created.secret]);
    const payload = JSON.stringify({ eventType: 'task_updated' });
    const headers = signDelivery(secrets, 'msg_rot', payload);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(created.secret).verify(payload, headers)).toBeTruthy();
    expect(new Webhook(rotated.secret).verify(payload, headers)).toBeTruthy();

    // After the overlap only the new secret signs.
    const after = await signingSecrets(created.id, new Date(expires + 1000));
    expect(after).toEqual([rotated.secret]);
    const later = signDelivery(after, 'msg_late', payload);
    expect(() => new Webhook(created.secret).verify(payload, later)).toThrow();

    // Default overlap 24 h; 0 replaces at once; more than 7 days is a 400.
    const again = await json(await app.fetch(`/api/v1/webhooks/${created.id}/rotate-secret`, { method: 'POST', json: {} }));
    expect(Date.parse(again.previousSecretExpiresAt) - Date.now()).toBeGreaterThan(23.9 * 3600_000);
    expect(await signingSecrets(created.id)).toEqual([again.secret, rotated.secret]);
    const now = await json(await app.fetch(`/api/v1/webhooks/${created.id}/rotate-secret`, { method: 'POST', json: { overlapHours: 0 } }));
    expect(now.previousSecretExpiresAt).toBeNull();
    expect(await signingSecrets(created.id)).toEqual([now.secret]);
    const tooLong = await app.fetch(`/api/v1/webhooks/${created.id}/rotate-secret`, { method: 'POST', json: { overlapHours: 169 } });
    expect(tooLong.status).toBe(400);
    const audits = await sql(app.dbUrl, "select details from audit_logs where action = 'webhook.rotate_secret' and target_id = $1", [created.id]);
    expect(audits).toHaveLength(3);
    expect(JSON.stringify(audits)).not.toContain('whsec_');
  });

  it.each(['http://127.0.0.1/hook', 'http://10.0.0.1/hook', 'http://169.254.169.254/latest/meta-data', 'http://[::1]:8080/hook', 'http://localhost/hook'])(
    'refuses the internal target %s at creation and on change (400, one text)',
    async (url) => {
      const res = await create(body({ url }));
      expect(res.status).toBe(400);
      const err = await errorBody(res);
      expect(err.code).toBe('validation_failed');
      expect(err.details).toEqual([expect.objectContaining({ location: 'body', path: 'url', message: expect.stringContaining('not allowed') })]);
      const ok = await json(await create(body()));
      const patched = await app.fetch(`/api/v1/webhooks/${ok.id}`, { method: 'PATCH', json: { url } });
      expect(patched.status).toBe(400);
      expect((await app.json(`/api/v1/webhooks/${ok.id}`)).url).toBe('https://93.184.215.14/patchbay');
    },
  );

  it('rejects bad input with its issues: an unknown event type, a reserved header, a bad URL, unknown fields', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [body({ eventTypes: ['task_exploded'] }), 'eventTypes.0'],
      [body({ eventTypes: [] }), 'eventTypes'],
      [body({ authorization: { header: 'webhook-signature', value: 'x' } }), 'authorization.header'],
      [body({ authorization: { header: 'X-Key', value: 'a\r\nb' } }), 'authorization.value'],
      [body({ url: 'ftp://hooks.acme.example' }), 'url'],
      [body({ secret: 'whsec_mine' }), ''],
      [{ url: 'https://93.184.215.14' }, 'name'],
    ];
    for (const [json, path] of cases) {
      const res = await create(json);
      expect(res.status, JSON.stringify(json)).toBe(400);
      const err = await errorBody(res);
      expect(err.code).toBe('validation_failed');
      expect((err.details as Array<{ path: string }>).map((d) => d.path)).toContain(path);
    }
  });

  it('refuses a member (403) and audits the refusal; an admin may manage webhooks', async () => {
    const res = await create(body(), memberToken);
    expect(res.status).toBe(403);
    expect((await errorBody(res)).code).toBe('forbidden');
    expect((await app.fetch('/api/v1/webhooks', { token: memberToken })).status).toBe(403);
    const [refusal] = await sql(app.dbUrl, "select outcome, details from audit_logs where action = 'webhooks.manage' and outcome = 'refused' order by id desc limit 1");
    expect(refusal).toMatchObject({ outcome: 'refused', details: expect.objectContaining({ reason: 'forbidden', role: 'member' }) });
    expect((await create(body(), adminToken)).status).toBe(201);
  });

  it("keeps workspaces apart: another workspace's owner neither lists nor reaches an endpoint (404)", async () => {
    const created = await json(await create(body({ name: 'Private' })));
    const em = app.pb.rt.em();
    const ws = em.create(Workspace, { name: 'Other', slug: 'other-ws' });
    const owner = em.create(Member, { workspace: ws.id, displayName: 'Otto', email: 'otto@other.example', role: 'owner' });
    await em.flush();
    const { token } = await mintToken(em, { workspaceId: ws.id, memberId: owner.id, name: 'test' });
    expect(await app.json('/api/v1/webhooks', { token })).toEqual({ data: [] });
    for (const method of ['GET', 'DELETE'] as const) expect((await app.fetch(`/api/v1/webhooks/${created.id}`, { method, token })).status).toBe(404);
    // The same name is free in another workspace.
    expect((await create(body({ name: 'Private' }), token)).status).toBe(201);
    expect((await app.fetch(`/api/v1/webhooks/${created.id}`)).status).toBe(200);
  });

  it('serves the event-type catalog with descriptions, JSON schemas and example bodies in the delivered shape', async () => {
    const { data } = await app.json('/api/v1/webhooks/event-types');
    const types = data.map((d: { type: string }) => d.type);
    expect(types).toEqual(
      expect.arrayContaining(['task_added', 'contact_added', 'timetracking_added', 'connection_connected', 'sync_completed', 'sync_conflict', 'webhook_paused', 'webhook_disabled', 'webhook_enabled']),
    );
    for (const d of data) {
      expect(d.description.length).toBeGreaterThan(10);
      expect(d.schema).toMatchObject({ type: 'object' });
      // awork's shape: what a receiver gets, and the schema describes it.
      expect(Object.keys(d.example)).toEqual(expect.arrayContaining(['timestamp', 'eventType', 'entity', 'entityId', 'entityType', 'entityLink', 'traceId', 'triggeredBy']));
      expect(d.example.eventType).toBe(d.type);
      expect(d.example.entityLink).toMatch(/^https?:\/\/.+\/api\/v1\//);
      expect(webhookBodySchema(d.type).safeParse(d.example).success, d.type).toBe(true);
      expect(d.schema.required).toEqual(expect.arrayContaining(['timestamp', 'eventType', 'entity', 'triggeredBy']));
    }
    expect((await app.fetch('/api/v1/webhooks/event-types', { token: memberToken })).status).toBe(403);
  });
});
