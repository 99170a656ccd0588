/**
 * Notion integration webhooks through the real ingress (Postgres, HTTP): the unsigned one-time
 * verification request is answered 200 and stores nothing; a signed event (`X-Notion-Signature:
 * sha256=<hex HMAC-SHA256 of the body>` keyed with the verification token an Admin stored) → 200,
 * one receipt keyed by the event `id`; the same event again (Notion retries with a new
 * `attempt_number`) → 200 and still one receipt; a tampered body, a wrong token or no signature →
 * 401 and nothing stored. Signatures are computed here from Notion's documented recipe.
 * Notion's `timestamp` is when the change happened (retries come hours later), so there is no
 * stale-delivery check to test.
 */
import { createHmac, randomUUID } from 'node:crypto';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhooks } from '../../src/providers/notion/webhooks.ts';
import { sql } from '../helpers/sql.ts';
import { botUser } from '../providers/fixtures/notion.ts';
import { startE2E, type E2E } from '../providers-e2e/support.ts';

const TOKEN = 'secret_Nv3rIfIcAtIoNt0kEn4f9c2e7a1b5d8';
const WORKSPACE = '8a5f1b2c-3d4e-4f60-8a7b-9c0d1e2f3a4b';
let e2e: E2E;
let connectionId: string;

beforeAll(async () => {
  e2e = await startE2E({ PROVIDER_NOTION_CLIENT_ID: 'notion-client-id', PROVIDER_NOTION_CLIENT_SECRET: 'notion-client-secret-123456' });
  const { params } = await e2e.startOAuth({ provider: 'notion' });
  nock('https://api.notion.com').post('/v1/oauth/token').reply(200, { access_token: 'ntn_access-0123456789', token_type: 'bearer', bot_id: botUser.id, workspace_id: WORKSPACE, workspace_name: 'Acme HQ' });
  nock('https://api.notion.com').get('/v1/users/me').reply(200, botUser);
  expect((await e2e.callback({ code: 'notion-code', state: params.state! })).status).toBe(200);
  connectionId = (await e2e.rows('notion'))[0]!.id;
}, 60_000);
afterAll(async () => {
  await e2e?.close();
});

const path = () => `/webhooks/notion/${connectionId}`;
const sign = (body: string, key = TOKEN) => `sha256=${createHmac('sha256', key).update(body).digest('hex')}`;
// https://developers.notion.com/reference/webhooks-events-delivery (shared event properties)
const event = (id: string, over: Record<string, unknown> = {}) =>
  JSON.stringify({
    id,
    timestamp: '2026-11-30T09:15:00.000Z',
    workspace_id: WORKSPACE,
    workspace_name: 'Acme HQ',
    subscription_id: '29d75c0d-5546-4414-8459-7b7a92f1fc4b',
    integration_id: '0ef2e755-4912-8096-91c1-00376a88a5ca',
    type: 'page.properties_updated',
    authors: [{ id: '5389a034-eb5c-47b5-8a9e-f79c99ef166c', type: 'person' }],
    attempt_number: 1,
    entity: { id: '153104cd-477e-809d-8dc4-ff2d96ae3090', type: 'page' },
    data: { parent: { id: '13950b26-c203-4f3b-b97d-93ec06319565', type: 'database' }, updated_properties: ['XGe%40', 'bDf%5B'] },
    ...over,
  });

async function deliver(body: string, headers: Record<string, string>): Promise<{ status: number; body: any }> {
  const res = await e2e.app.fetch(path(), { method: 'POST', token: null, headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}
const receipts = () => sql<{ delivery_id: string; kind: string; object: string | null; remote_id: string | null }>(e2e.app.dbUrl, 'select delivery_id, kind, object, remote_id from inbound_receipts where connection_id = $1 order by received_at', [connectionId]);

describe('Notion webhooks (verification token, X-Notion-Signature)', () => {
  it('the one-time verification request → 200, nothing stored; events before the token is stored → 401', async () => {
    const res = await deliver(JSON.stringify({ verification_token: TOKEN }), {});
    expect(res.status).toBe(200);
    expect(await receipts()).toEqual([]);
    const rows = await sql(e2e.app.dbUrl, 'select id from provider_webhooks where connection_id = $1', [connectionId]);
    expect(rows).toEqual([]);
    expect((await deliver(event(randomUUID()), { 'x-notion-signature': sign(event('x')) })).status).toBe(401);
  });

  it('with the token stored: valid → 200 and one receipt keyed by the event id; duplicate → one effect', async () => {
    const put = await e2e.call(`/api/v1/connections/${connectionId}/webhook-secret`, { method: 'PUT', json: { secret: TOKEN } });
    expect(put.status, put.text).toBe(204);
    const id = randomUUID();
    const body = event(id);
    const first = await deliver(body, { 'x-notion-signature': sign(body) });
    expect(first).toMatchObject({ status: 200, body: { received: 1, applied: 1, duplicates: 0 } });
    // Notion retries the same event id with the next attempt_number.
    const retry = event(id, { attempt_number: 2 });
    expect(await deliver(retry, { 'x-notion-signature': sign(retry) })).toMatchObject({ status: 200, body: { received: 1, applied: 0, duplicates: 1 } });
    expect(await receipts()).toEqual([{ delivery_id: id, kind: 'page.properties_updated', object: 'tasks', remote_id: '153104cd-477e-809d-8dc4-ff2d96ae3090' }]);
  });

  it('an event Patchbay does not use (a comment) → 200, ignored', async () => {
    const body = event(randomUUID(), { type: 'comment.created', entity: { id: 'c0ffee00-0000-4000-8000-000000000001', type: 'comment' } });
    expect(await deliver(body, { 'x-notion-signature': sign(body) })).toMatchObject({ status: 200, body: { received: 1, ignored: 1 } });
  });

  it('tampered body, wrong token, bare hex, missing signature → 401 and nothing stored; a verification-shaped body with a signature is not a handshake', async () => {
    const before = (await receipts()).length;
    const body = event(randomUUID());
    const cases: Array<[string, string, Record<string, string>]> = [
      ['tampered', body.replace('page.properties_updated', 'page.deleted'), { 'x-notion-signature': sign(body) }],
      ['wrong token', body, { 'x-notion-signature': sign(body, 'secret_another-subscription-token') }],
      ['no sha256= prefix', body, { 'x-notion-signature': sign(body).slice('sha256='.length) }],
      ['no signature', body, {}],
    ];
    for (const [why, b, h] of cases) {
      const res = await deliver(b, h);
      expect(res.status, why).toBe(401);
      expect(res.body.error.code, why).toBe('signature_invalid');
    }
    const forged = JSON.stringify({ verification_token: 'x' });
    expect(webhooks.scheme.handshake!({ method: 'POST', url: '', headers: { 'x-notion-signature': sign(forged) }, rawBody: Buffer.from(forged), receivedAt: new Date() })).toBeNull();
    expect(await receipts()).toHaveLength(before);
    expect(e2e.app.logs.join('\n')).not.toContain(TOKEN);
  });
});
