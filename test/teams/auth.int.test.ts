/**
 * Who may post activities. Without credentials only the local emulator is served, and never in
 * production; with credentials every activity needs a Bot Framework token (validated by the
 * Agents SDK against Microsoft's published keys — the valid-token path needs Microsoft's identity
 * endpoints and is not exercised offline).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sql } from '../helpers/sql.ts';
import { OWNER, startTeamsTest, type TeamsTest } from './support.ts';

let t: TeamsTest | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const message = { type: 'message', id: 'm-1', from: OWNER, text: '<at>Patchbay</at> help' };

describe('the Teams endpoint refuses what it cannot trust', () => {
  it('refuses every activity in production when no credentials are configured', async () => {
    t = await startTeamsTest({ env: { NODE_ENV: 'production', ENCRYPTION_KEY: Buffer.alloc(32, 9).toString('base64'), SANDBOX_ENABLED: 'false' } });
    const res = await t.activity(message);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthenticated');
    expect(res.body.error.message).toMatch(/TEAMS_APP_ID and TEAMS_APP_PASSWORD/);
    expect(t.connector.calls).toEqual([]);
    expect(await sql(t.app.dbUrl, 'select 1 from chat_conversations')).toHaveLength(0);
  });

  it('with credentials, refuses an unsigned activity and a forged token (JWT validation is on)', async () => {
    t = await startTeamsTest({ env: { TEAMS_APP_ID: '11111111-2222-3333-4444-555555555555', TEAMS_APP_PASSWORD: 'test-client-secret-value', TEAMS_TENANT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db47' } });
    const unsigned = await t.activity(message);
    expect(unsigned.status).toBe(401);
    const forged = await t.activity(message, { headers: { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJhdWQiOiJ4In0.' } });
    expect(forged.status).toBe(401);
    expect(t.connector.calls).toEqual([]);
  });

  it('in the emulator mode, refuses a serviceUrl outside TEAMS_SERVICE_URLS (no replies to internal hosts)', async () => {
    t = await startTeamsTest();
    const res = await t.activity({ ...message, serviceUrl: 'http://169.254.169.254/latest/' });
    expect(res.status).toBe(400);
    expect(t.connector.calls).toEqual([]);
  });
});
