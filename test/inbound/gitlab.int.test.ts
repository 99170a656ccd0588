/**
 * GitLab webhooks through the real ingress: the right `X-Gitlab-Token` → 200, a receipt and the
 * connection's apply job; the same delivery again (same `Idempotency-Key`) → still one receipt;
 * another token, or none → 401 and nothing stored; an event Patchbay ignores → 200, processed at
 * once. GitLab's token carries no timestamp, so there is no stale case. Sent here as
 * https://docs.gitlab.com/user/project/integrations/webhooks/ documents.
 */
import { randomUUID } from 'node:crypto';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2E } from '../providers-e2e/support.ts';
import { sql } from '../helpers/sql.ts';
import { applyJobs, deliver, receipts, type Env } from './schemes-a-support.ts';

const PAT = 'glpat-xz8Q2v7yK3mN5pR1tW4s';
const SECRET = 'gitlab-hook-token-7Yq2Lm9Xc4Rv8Tn1';
let env: Env;
let path: string;

beforeAll(async () => {
  const e2e = await startE2E();
  nock('https://gitlab.com').get('/api/v4/user').reply(200, { id: 1, username: 'john_smith', name: 'John Smith' });
  const res = await e2e.call('/api/v1/connections', { method: 'POST', json: { provider: 'gitlab', credentials: { token: PAT } } });
  expect(res.status, res.text).toBe(201);
  const id = res.body.connection.id as string;
  const [ws] = await sql<{ workspace_id: string }>(e2e.app.dbUrl, 'select workspace_id from connections where id = $1', [id]);
  // The Env shape of the shared helpers; only the `gitlab` entry is used here.
  env = { e2e, ids: { gitlab: id } as unknown as Env['ids'], workspaceId: ws!.workspace_id };
  path = `/webhooks/gitlab/${id}`;
  const put = await e2e.call(`/api/v1/connections/${id}/webhook-secret`, { method: 'PUT', json: { secret: SECRET } });
  expect(put.status, put.text).toBe(204);
}, 60_000);
afterAll(async () => {
  await env?.e2e.close();
});

const GITLAB = 'gitlab' as keyof Env['ids'];
// https://docs.gitlab.com/user/project/integrations/webhook_events/#work-item-events (trimmed).
const issueBody = JSON.stringify({ object_kind: 'issue', event_type: 'issue', project: { id: 15, path_with_namespace: 'acme/api' }, object_attributes: { id: 301, iid: 23, title: 'Broken build', action: 'update' } });
const pushBody = JSON.stringify({ object_kind: 'push', event_name: 'push', ref: 'refs/heads/main', project_id: 15 });
const headers = (id: string, event = 'Issue Hook', token = SECRET) => ({ 'content-type': 'application/json', 'x-gitlab-event': event, 'x-gitlab-token': token, 'idempotency-key': id, 'x-gitlab-event-uuid': randomUUID() });

describe('GitLab webhooks', () => {
  const ids = { valid: randomUUID(), ignored: randomUUID(), bad: randomUUID() };

  it('the right token → 200, a receipt for the issue and the apply job', async () => {
    const res = await deliver(env, path, issueBody, headers(ids.valid));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ received: 1, applied: 1, duplicates: 0 });
    expect(await receipts(env, GITLAB, ids.valid)).toEqual([{ delivery_id: ids.valid, kind: 'issue.update', object: 'issues', remote_id: '301', processed_at: null }]);
    expect(await applyJobs(env, GITLAB)).toBe(1);
  });

  it('the same delivery again (a resend keeps its Idempotency-Key) → 200, still one receipt', async () => {
    const res = await deliver(env, path, issueBody, headers(ids.valid));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ duplicates: 1, applied: 0 });
    expect(await receipts(env, GITLAB, ids.valid)).toHaveLength(1);
  });

  it('an event Patchbay ignores (push) → 200, processed at once', async () => {
    const res = await deliver(env, path, pushBody, headers(ids.ignored, 'Push Hook'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ received: 1, ignored: 1, applied: 0 });
    const [row] = await receipts(env, GITLAB, ids.ignored);
    expect(row).toMatchObject({ kind: 'push', object: null });
    expect(row!.processed_at).not.toBeNull();
  });

  it('a tampered token → 401 signature_invalid, nothing stored', async () => {
    const res = await deliver(env, path, issueBody, headers(ids.bad, 'Issue Hook', `${SECRET.slice(0, -1)}X`));
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('signature_invalid');
    expect(await receipts(env, GITLAB, ids.bad)).toEqual([]);
  });

  it('no token → 401, nothing stored', async () => {
    const h: Record<string, string> = headers(ids.bad);
    delete h['x-gitlab-token'];
    expect((await deliver(env, path, issueBody, h)).status).toBe(401);
    expect(await receipts(env, GITLAB, ids.bad)).toEqual([]);
  });

  it('no token or secret appears in the logs', () => {
    const logs = env.e2e.app.logs.join('\n');
    for (const s of [PAT, SECRET]) expect(logs).not.toContain(s);
  });
});
