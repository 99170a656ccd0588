/**
 * monday.com board webhooks through the real ingress: the `{"challenge"}` URL check is echoed as
 * JSON and stores nothing; an event whose `Authorization` JWT is HS256-signed with the app's Signing
 * Secret (stored by an Admin), current and for this URL → 200 and one receipt keyed by
 * `triggerUuid`; the same trigger again → one effect; a tampered token, another secret, an expired
 * (stale) token, another audience, or none → 401 and nothing stored. Tokens are built here as
 * https://developer.monday.com/apps/docs/authorization-header describes them.
 */
import { createHmac, randomUUID } from 'node:crypto';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../helpers/sql.ts';
import { meAnswer } from '../providers/fixtures/monday.ts';
import { PUBLIC_URL, startE2E, type E2E } from '../providers-e2e/support.ts';

const PAT = 'eyJhbGciOiJIUzI1NiJ9.eyJ0aWQiOjEyMzQ1Njc4OSwidWlkIjo0MDEyNjg5fQ.c2lnbmF0dXJlLW9mLXRoZS1wZXJzb25hbC10b2tlbg';
const SIGNING_SECRET = 'f3a9c2e1b8d7f6e5a4b3c2d1e0f9a8b7';
let e2e: E2E;
let connectionId: string;

beforeAll(async () => {
  e2e = await startE2E();
  nock('https://api.monday.com').post('/v2').reply(200, meAnswer);
  const res = await e2e.call('/api/v1/connections', { method: 'POST', json: { provider: 'monday', credentials: { apiToken: PAT } } });
  expect(res.status, res.text).toBe(201);
  connectionId = res.body.connection.id;
}, 60_000);
afterAll(async () => {
  await e2e?.close();
});

const path = () => `/webhooks/monday/${connectionId}`;
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
function jwt(claims: Record<string, unknown> = {}, opts: { secret?: string; alg?: string } = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const head = b64({ alg: opts.alg ?? 'HS256', typ: 'JWT' });
  const body = b64({ accountId: 1825528, userId: 4012689, aud: `${PUBLIC_URL}${path()}`, iat: now, exp: now + 300, shortLivedToken: 'short-lived-token-0000', ...claims });
  return `${head}.${body}.${createHmac('sha256', opts.secret ?? SIGNING_SECRET).update(`${head}.${body}`).digest('base64url')}`;
}
// https://developer.monday.com/api-reference/reference/webhooks (change_column_value payload).
const event = (triggerUuid: string) =>
  JSON.stringify({
    event: {
      app: 'monday', type: 'update_column_value', triggerTime: '2026-11-30T03:07:28.210Z', subscriptionId: 73759690, userId: 4012689, originalTriggerUuid: null,
      boardId: 1771812698, groupId: 'topics', pulseId: 1772099344, pulseName: 'Launch checklist', columnId: 'status', columnType: 'color', columnTitle: 'Status',
      value: { label: { index: 1, text: 'Done' } }, previousValue: null, changedAt: 1764472048.2, isTopGroup: true, triggerUuid,
    },
  });

async function deliver(body: string, headers: Record<string, string>): Promise<{ status: number; text: string; body: any }> {
  const res = await e2e.app.fetch(path(), { method: 'POST', token: null, headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await res.text();
  return { status: res.status, text, body: text ? JSON.parse(text) : null };
}
const receipts = () => sql<{ delivery_id: string; kind: string; object: string | null; remote_id: string | null }>(e2e.app.dbUrl, 'select delivery_id, kind, object, remote_id from inbound_receipts where connection_id = $1 order by received_at', [connectionId]);

describe('monday.com webhooks (challenge, then a JWT signed with the Signing Secret)', () => {
  it('the challenge is echoed as JSON and stores nothing', async () => {
    const res = await deliver(JSON.stringify({ challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' }), {});
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' });
    expect(await receipts()).toEqual([]);
  });

  it('before the Admin stores the Signing Secret, events are refused', async () => {
    expect((await deliver(event(randomUUID()), { authorization: jwt() })).status).toBe(401);
    const put = await e2e.call(`/api/v1/connections/${connectionId}/webhook-secret`, { method: 'PUT', json: { secret: SIGNING_SECRET } });
    expect(put.status, put.text).toBe(204);
  });

  it('valid → 200, one receipt keyed by triggerUuid for the item; the same trigger again → one effect', async () => {
    const uuid = randomUUID().replace(/-/g, '');
    const first = await deliver(event(uuid), { authorization: jwt() });
    expect(first, first.text).toMatchObject({ status: 200, body: { received: 1, applied: 1, duplicates: 0 } });
    // A retry carries a fresh JWT.
    expect(await deliver(event(uuid), { authorization: jwt() })).toMatchObject({ status: 200, body: { received: 1, applied: 0, duplicates: 1 } });
    expect(await receipts()).toEqual([{ delivery_id: uuid, kind: 'update_column_value', object: 'tasks', remote_id: '1772099344' }]);
  });

  it('tampered token, another secret, alg none, expired (stale), future iat, another audience, no token → 401 and nothing stored', async () => {
    const before = (await receipts()).length;
    const body = event(randomUUID());
    const good = jwt();
    const [h, p, s] = good.split('.') as [string, string, string];
    const forgedClaims = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), accountId: 1 })).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const cases: Array<[string, Record<string, string>]> = [
      ['tampered claims', { authorization: `${h}.${forgedClaims}.${s}` }],
      ['another secret', { authorization: jwt({}, { secret: 'not-the-signing-secret-000000000' }) }],
      ['alg none', { authorization: `${b64({ alg: 'none' })}.${p}.` }],
      ['expired', { authorization: jwt({ iat: now - 900, exp: now - 600 }) }],
      ['issued in the future', { authorization: jwt({ iat: now + 900, exp: now + 1200 }) }],
      ['another audience', { authorization: jwt({ aud: 'https://elsewhere.example.test/webhooks/monday/x' }) }],
      ['no token', {}],
    ];
    for (const [why, headers] of cases) {
      const res = await deliver(body, headers);
      expect(res.status, why).toBe(401);
      expect(res.body.error.code, why).toBe('signature_invalid');
    }
    expect(await receipts()).toHaveLength(before);
    expect(e2e.app.logs.join('\n')).not.toContain(SIGNING_SECRET);
  });

  it('a board event without an item → 200, ignored', async () => {
    const body = JSON.stringify({ event: { app: 'monday', type: 'create_group', triggerTime: '2026-11-30T03:10:00.000Z', subscriptionId: 73759690, boardId: 1771812698, groupId: 'new_group', triggerUuid: randomUUID() } });
    expect(await deliver(body, { authorization: jwt() })).toMatchObject({ status: 200, body: { received: 1, ignored: 1 } });
  });
});
