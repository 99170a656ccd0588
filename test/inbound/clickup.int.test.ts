/**
 * ClickUp webhooks through the real ingress: `X-Signature` = hex HMAC-SHA256 of the raw body,
 * keyed with the `webhook.secret` ClickUp returned when the webhook was created (stored by an
 * Admin). Valid → 200 and one receipt keyed by webhook id + history item ids; the same delivery
 * again → still one; a delivery without history items (taskDeleted) keyed by its body; tampered,
 * another secret or no signature → 401 and nothing stored. ClickUp signs no timestamp, so there is
 * no stale-delivery case. Signed here as https://developer.clickup.com/docs/webhooksignature shows.
 */
import { createHmac } from 'node:crypto';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../helpers/sql.ts';
import { authorizedUser } from '../providers/fixtures/clickup.ts';
import { startE2E, type E2E } from '../providers-e2e/support.ts';

const PK = 'pk_183_0123456789ABCDEFGHIJKLMNOPQRSTUV';
// The shape of `webhook.secret` in CreateWebhook's documented answer.
const SECRET = 'O94IM25S7PXBPYTMNXLLET230SRP0S89COR7B1YOJ2ZIE8WQNK5UUKEF26W0Z5GA';
const WEBHOOK = '4b67ac88-e506-4a29-9d42-26e504e3435e';
let e2e: E2E;
let connectionId: string;

beforeAll(async () => {
  e2e = await startE2E();
  nock('https://api.clickup.com').get('/api/v2/user').reply(200, authorizedUser);
  const res = await e2e.call('/api/v1/connections', { method: 'POST', json: { provider: 'clickup', credentials: { apiToken: PK } } });
  expect(res.status, res.text).toBe(201);
  connectionId = res.body.connection.id;
}, 60_000);
afterAll(async () => {
  await e2e?.close();
});

const sign = (body: string, key = SECRET) => createHmac('sha256', key).update(body).digest('hex');
// https://developer.clickup.com/docs/webhooks (taskStatusUpdated payload).
const statusUpdated = (historyId: string) =>
  JSON.stringify({
    event: 'taskStatusUpdated',
    history_items: [{ id: historyId, type: 1, date: '1642734631523', field: 'status', parent_id: '162641062', data: { status_type: 'custom' }, source: null, user: { id: 183, username: 'Ada Lovelace', email: 'ada@example.com', color: '#7b68ee', initials: 'AL', profilePicture: null }, before: { status: 'to do' }, after: { status: 'in progress' } }],
    task_id: '1vj37mc',
    webhook_id: WEBHOOK,
  });

async function deliver(body: string, headers: Record<string, string>): Promise<{ status: number; body: any }> {
  const res = await e2e.app.fetch(`/webhooks/clickup/${connectionId}`, { method: 'POST', token: null, headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}
const receipts = () => sql<{ delivery_id: string; kind: string; object: string | null; remote_id: string | null }>(e2e.app.dbUrl, 'select delivery_id, kind, object, remote_id from inbound_receipts where connection_id = $1 order by received_at', [connectionId]);

describe('ClickUp webhooks (X-Signature)', () => {
  it('before the Admin stores the webhook secret, deliveries are refused', async () => {
    const body = statusUpdated('2800763136717140857');
    expect((await deliver(body, { 'x-signature': sign(body) })).status).toBe(401);
    const put = await e2e.call(`/api/v1/connections/${connectionId}/webhook-secret`, { method: 'PUT', json: { secret: SECRET } });
    expect(put.status, put.text).toBe(204);
  });

  it('valid → 200, one receipt keyed by webhook id + history item id; the same delivery again → one effect', async () => {
    const body = statusUpdated('2800763136717140857');
    expect(await deliver(body, { 'x-signature': sign(body) })).toMatchObject({ status: 200, body: { received: 1, applied: 1, duplicates: 0 } });
    expect(await deliver(body, { 'x-signature': sign(body) })).toMatchObject({ status: 200, body: { received: 1, applied: 0, duplicates: 1 } });
    expect(await receipts()).toEqual([{ delivery_id: `${WEBHOOK}:2800763136717140857`, kind: 'taskStatusUpdated', object: 'tasks', remote_id: '1vj37mc' }]);
  });

  it('taskDeleted (no history items) is keyed by its body: a retry is still one receipt', async () => {
    const body = JSON.stringify({ event: 'taskDeleted', task_id: '1vj37mc', webhook_id: WEBHOOK });
    expect(await deliver(body, { 'x-signature': sign(body) })).toMatchObject({ status: 200, body: { applied: 1 } });
    expect(await deliver(body, { 'x-signature': sign(body) })).toMatchObject({ status: 200, body: { duplicates: 1 } });
    expect((await receipts()).filter((r) => r.kind === 'taskDeleted')).toHaveLength(1);
  });

  it('a list event → 200, ignored', async () => {
    const body = JSON.stringify({ event: 'listUpdated', list_id: '162641285', history_items: [{ id: '8a2f82db-7718-4fdb-9493-4849e4f3d1a2', type: 6, date: '1642740510345', field: 'name', parent_id: '162641062' }], webhook_id: WEBHOOK });
    expect(await deliver(body, { 'x-signature': sign(body) })).toMatchObject({ status: 200, body: { received: 1, ignored: 1 } });
  });

  it('tampered body, another secret, no signature → 401 signature_invalid and nothing stored', async () => {
    const before = (await receipts()).length;
    const body = statusUpdated('2800763136717149999');
    const cases: Array<[string, string, Record<string, string>]> = [
      ['tampered', body.replace('in progress', 'complete'), { 'x-signature': sign(body) }],
      ['another secret', body, { 'x-signature': sign(body, 'ANOTHERWEBHOOKSECRET0000000000000000000000000000000000000000000') }],
      ['no signature', body, {}],
    ];
    for (const [why, b, h] of cases) {
      const res = await deliver(b, h);
      expect(res.status, why).toBe(401);
      expect(res.body.error.code, why).toBe('signature_invalid');
    }
    expect(await receipts()).toHaveLength(before);
    expect(e2e.app.logs.join('\n')).not.toContain(SECRET);
  });
});
