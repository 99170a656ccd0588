/** The retention job prunes what is older than RETENTION_DAYS and keeps everything else. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../../src/access/api-tokens.ts';
import { enqueue } from '../../src/jobs/enqueue.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { sql, waitFor } from './support.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ workers: true, env: { RETENTION_DAYS: '30' } });
});
afterAll(async () => {
  await app?.close();
});

async function retentionRuns(): Promise<number> {
  const text = await (await app.fetch('/metrics', { token: null })).text();
  const m = text.match(/patchbay_jobs_total\{(?=[^}]*task="retention")(?=[^}]*outcome="success")[^}]*\} (\d+)/);
  return m ? Number(m[1]) : 0;
}

describe('retention job', () => {
  it('deletes a revoked API token older than RETENTION_DAYS and keeps a recently revoked one and active ones', async () => {
    const { workspace, owner, token: ownerToken } = app.pb.bootstrap!;
    const em = app.pb.rt.em();
    const mint = async (name: string) => (await mintToken(em, { workspaceId: workspace.id, memberId: owner.id, name })).record.id;
    const oldRevoked = await mint('revoked long ago');
    const recentRevoked = await mint('revoked last week');
    const oldActive = await mint('old but active');
    await sql(app.dbUrl, `update api_tokens set created_at = now() - interval '400 days', revoked_at = now() - interval '40 days' where id = $1`, [oldRevoked]);
    await sql(app.dbUrl, `update api_tokens set created_at = now() - interval '400 days', revoked_at = now() - interval '5 days' where id = $1`, [recentRevoked]);
    await sql(app.dbUrl, `update api_tokens set created_at = now() - interval '400 days', last_used_at = now() - interval '100 days' where id = $1`, [oldActive]);

    const runsBefore = await retentionRuns();
    await em.transactional(async (tx) => enqueue(tx, 'retention', {}));
    await waitFor('the retention job to finish', async () => (await retentionRuns()) > runsBefore);

    const left = (await sql<{ id: string }>(app.dbUrl, 'select id from api_tokens')).map((r) => r.id);
    expect(left).not.toContain(oldRevoked);
    expect(left).toContain(recentRevoked);
    expect(left).toContain(oldActive);
    expect(left).toHaveLength(3); // …and the Owner's bootstrap token
    expect(app.logs.some((l) => l.includes('retention: pruned old rows') && l.includes('"table":"api_tokens"') && l.includes('"deleted":1'))).toBe(true);
    // The Owner can still use the API.
    expect((await app.fetch('/api/v1/workspace', { token: ownerToken })).status).toBe(200);
  });
});
