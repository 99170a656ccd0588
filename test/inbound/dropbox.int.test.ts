/**
 * Dropbox webhooks through the real ingress: the app's one URL `/webhooks/dropbox`. The
 * verification `GET ?challenge=` is echoed as text/plain with nosniff; a notification signed with
 * the app secret (`X-Dropbox-Signature`, hex HMAC-SHA256 of the body) → 200 and one receipt per
 * connection of each listed account; the same notification again → no second receipt; a tampered
 * body, another secret or no signature → 401 and nothing stored. Dropbox's notifications carry no
 * timestamp, so there is no stale case. Signatures are computed here from Dropbox's documented
 * recipe (https://www.dropbox.com/developers/reference/webhooks), independently of the scheme.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workspaceWithConnection } from '../helpers/connections.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { sql } from '../helpers/sql.ts';

const PUBLIC_URL = 'https://patchbay.example.com';
const APP_SECRET = 'dropbox-app-secret-3f9a7c1e5b';
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ env: { PUBLIC_URL, PROVIDER_DROPBOX_CLIENT_ID: 'x7k2m9q4dropbox', PROVIDER_DROPBOX_CLIENT_SECRET: APP_SECRET } });
}, 60_000);
afterAll(async () => {
  await app?.close();
});

let n = 0;
async function connect(name: string): Promise<{ connectionId: string; accountId: string }> {
  const accountId = `dbid:AAH4f99T0taONIb-${++n}-${Date.now()}`;
  const slug = `dbx-${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${n}`;
  const ws = await workspaceWithConnection(app, { slug, name, provider: 'dropbox', displayName: name, credentials: { type: 'oauth2', accessToken: 'sl.u.dropbox-token', scopes: [] }, metadata: { accountId, accountName: name } });
  return { connectionId: ws.connectionId, accountId };
}

const sign = (body: string, secret = APP_SECRET) => createHmac('sha256', secret).update(body).digest('hex');
const notification = (accounts: string[]) => JSON.stringify({ list_folder: { accounts }, delta: { users: accounts.map((_, i) => 12_345_678 + i) } });
async function deliver(body: string, headers: Record<string, string> = { 'x-dropbox-signature': sign(body) }): Promise<Response> {
  return await fetch(`${app.url}/webhooks/dropbox`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
}
const receiptsOf = (connectionId: string) =>
  sql<{ delivery_id: string; kind: string; object: string | null }>(app.dbUrl, 'select delivery_id, kind, object from inbound_receipts where connection_id = $1', [connectionId]);

describe('Dropbox webhooks (app-level, X-Dropbox-Signature)', () => {
  it('the verification request: GET ?challenge= → 200, the challenge as text/plain with nosniff', async () => {
    const res = await fetch(`${app.url}/webhooks/dropbox?challenge=Xq9_zR-3tY7uI0`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('Xq9_zR-3tY7uI0');
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('a valid notification for two accounts: one receipt each, on its own connection; an unknown account is ignored', async () => {
    const [a, b] = [await connect('Account A'), await connect('Account B')];
    const res = await deliver(notification([a.accountId, b.accountId, 'dbid:nobody-connected-this']));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ received: 2, applied: 2, duplicates: 0 });
    expect(await receiptsOf(a.connectionId)).toEqual([expect.objectContaining({ kind: 'list_folder', object: 'files' })]);
    expect(await receiptsOf(b.connectionId)).toHaveLength(1);
  });

  it('the same notification again (Dropbox retrying) → 200, no second receipt', async () => {
    // The key includes the minute of arrival: should the two straddle a minute boundary, try once more.
    const minute = () => Math.floor(Date.now() / 60_000);
    for (let attempt = 0; ; attempt++) {
      const a = await connect(`Duplicates ${attempt}`);
      const body = notification([a.accountId]);
      const before = minute();
      expect((await deliver(body)).status).toBe(200);
      const again = await deliver(body);
      if (minute() !== before && attempt === 0) continue;
      expect(again.status).toBe(200);
      expect(await again.json()).toMatchObject({ received: 1, duplicates: 1, applied: 0 });
      expect(await receiptsOf(a.connectionId)).toHaveLength(1);
      break;
    }
  });

  it('refuses (401, nothing stored) a tampered body, another secret and a missing signature', async () => {
    const a = await connect('Refusals');
    const body = notification([a.accountId]);
    const cases: Array<[string, Response]> = [
      ['tampered body', await deliver(body.replace('12345678', '12345679'), { 'x-dropbox-signature': sign(body) })],
      ['another secret', await deliver(body, { 'x-dropbox-signature': sign(body, 'another-apps-secret') })],
      ['no signature', await deliver(body, {})],
    ];
    for (const [why, res] of cases) {
      expect(res.status, why).toBe(401);
      expect(((await res.json()) as any).error.code, why).toBe('signature_invalid');
    }
    expect(await receiptsOf(a.connectionId)).toEqual([]);
    expect(app.logs.join('\n')).not.toContain(APP_SECRET);
  });
});
