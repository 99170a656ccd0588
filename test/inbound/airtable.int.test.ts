/**
 * Airtable webhook notifications through the real ingress: signed with the stored
 * `macSecretBase64` (decoded) → 200, a receipt and the connection's apply job; the same
 * notification again (same webhook id and timestamp) → still one receipt; a tampered body, a MAC
 * keyed with another secret, or none → 401 and nothing stored. Airtable documents no tolerance for
 * the notification's timestamp, so there is no stale case. Sent as
 * https://airtable.com/developers/web/api/webhooks-overview documents.
 */
import { createHmac, randomBytes } from 'node:crypto';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2E } from '../providers-e2e/support.ts';
import { sql } from '../helpers/sql.ts';
import { applyJobs, deliver, receipts, type Env } from './schemes-a-support.ts';

const PAT = 'patAbCdEfGhIjKlMn0.0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
const KEY = randomBytes(32);
const SECRET = KEY.toString('base64');
let env: Env;
let path: string;

beforeAll(async () => {
  const e2e = await startE2E();
  nock('https://api.airtable.com').get('/v0/meta/whoami').reply(200, { id: 'usrL2PNC5o3H4lBEi', email: 'foo@bar.com' });
  const res = await e2e.call('/api/v1/connections', { method: 'POST', json: { provider: 'airtable', credentials: { token: PAT } } });
  expect(res.status, res.text).toBe(201);
  const id = res.body.connection.id as string;
  const [ws] = await sql<{ workspace_id: string }>(e2e.app.dbUrl, 'select workspace_id from connections where id = $1', [id]);
  env = { e2e, ids: { airtable: id } as unknown as Env['ids'], workspaceId: ws!.workspace_id };
  path = `/webhooks/airtable/${id}`;
  const put = await e2e.call(`/api/v1/connections/${id}/webhook-secret`, { method: 'PUT', json: { secret: SECRET } });
  expect(put.status, put.text).toBe(204);
}, 60_000);
afterAll(async () => {
  await env?.e2e.close();
});

const AIRTABLE = 'airtable' as keyof Env['ids'];
const ping = (timestamp: string) => JSON.stringify({ base: { id: 'appjRdIX59U4YEy4l' }, webhook: { id: 'achXH94CxHYGdUcje' }, timestamp });
const headers = (body: string, key: Buffer = KEY) => ({ 'content-type': 'application/json; charset=utf-8', 'x-airtable-content-mac': `hmac-sha256=${createHmac('sha256', key).update(body).digest('hex')}` });

describe('Airtable webhooks', () => {
  const valid = ping('2024-03-06T00:32:58.992Z');
  const id = 'achXH94CxHYGdUcje:2024-03-06T00:32:58.992Z';

  it('a notification signed with the decoded macSecretBase64 → 200, a receipt for rows and the apply job', async () => {
    const res = await deliver(env, path, valid, headers(valid));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ received: 1, applied: 1, duplicates: 0 });
    expect(await receipts(env, AIRTABLE, id)).toEqual([{ delivery_id: id, kind: 'webhook.notification', object: 'rows', remote_id: null, processed_at: null }]);
    expect(await applyJobs(env, AIRTABLE)).toBe(1);
  });

  it('the same notification again → 200, still one receipt', async () => {
    const res = await deliver(env, path, valid, headers(valid));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ duplicates: 1, applied: 0 });
    expect(await receipts(env, AIRTABLE, id)).toHaveLength(1);
  });

  it('a tampered body → 401 signature_invalid, nothing stored', async () => {
    const later = ping('2024-03-06T00:40:00.000Z');
    const res = await deliver(env, path, later, headers(valid));
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('signature_invalid');
    expect(await receipts(env, AIRTABLE, 'achXH94CxHYGdUcje:2024-03-06T00:40:00.000Z')).toEqual([]);
  });

  it('a MAC keyed with the base64 text instead of its bytes, or no MAC → 401', async () => {
    const other = ping('2024-03-06T00:41:00.000Z');
    expect((await deliver(env, path, other, headers(other, Buffer.from(SECRET)))).status).toBe(401);
    expect((await deliver(env, path, other, { 'content-type': 'application/json' })).status).toBe(401);
    expect(await receipts(env, AIRTABLE, 'achXH94CxHYGdUcje:2024-03-06T00:41:00.000Z')).toEqual([]);
  });

  it('no token or secret appears in the logs', () => {
    const logs = env.e2e.app.logs.join('\n');
    for (const s of [PAT, SECRET]) expect(logs).not.toContain(s);
  });
});
