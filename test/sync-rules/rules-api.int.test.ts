/**
 * Sync rules, suggested mappings, runs and the catalog over real HTTP and Postgres. Asana and
 * HubSpot get test adapters (tasks, contacts) through `vi.mock` of their index modules, so the
 * registry's `getProvider` finds them and no test code lives in src/ (test/fakes/sync-adapters.ts).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Connection } from '../../src/entities/connection.ts';
import { SyncRun } from '../../src/entities/sync-run.ts';
import { Workspace } from '../../src/entities/workspace.ts';
import { errorBody, json, startTestApp, type TestApp } from '../helpers/app.ts';
import { memberWithToken } from '../helpers/members.ts';
import { sql } from '../helpers/sql.ts';

vi.mock('../../src/providers/asana/index.ts', async (importOriginal) => {
  const { asana } = await importOriginal<typeof import('../../src/providers/asana/index.ts')>();
  const { tasksAdapter, withAdapters } = await import('../fakes/sync-adapters.ts');
  return { asana: withAdapters(asana, [tasksAdapter]) };
});
vi.mock('../../src/providers/hubspot/index.ts', async (importOriginal) => {
  const { hubspot } = await importOriginal<typeof import('../../src/providers/hubspot/index.ts')>();
  const { contactsAdapter, withAdapters } = await import('../fakes/sync-adapters.ts');
  return { hubspot: withAdapters(hubspot, [contactsAdapter]) };
});

let app: TestApp;
let member: { token: string; member: { id: string } };
let workspaceId = '';
let asanaId = '';
let hubspotId = '';

async function connection(providerSlug: string, displayName: string): Promise<string> {
  const em = app.pb.rt.em();
  const c = em.create(Connection, { workspace: workspaceId, providerSlug, displayName, authKind: 'oauth2', credentials: app.pb.rt.vault.encrypt({ type: 'oauth2', accessToken: 'x', scopes: [] }) });
  await em.flush();
  return c.id;
}

beforeAll(async () => {
  app = await startTestApp();
  member = await memberWithToken(app, 'member', 'mo@example.com');
  workspaceId = (await app.pb.rt.em().findOneOrFail(Workspace, { slug: 'default' })).id;
  asanaId = await connection('asana', 'Asana (ops)');
  hubspotId = await connection('hubspot', 'HubSpot');
});
afterAll(async () => {
  await app.close();
});

const rulesOf = (connId: string) => `/api/v1/connections/${connId}/rules`;
const taskRule = { remoteObject: 'tasks', scope: { project: '1207894561234567' }, intervalSeconds: 60 };
/** A connection has one rule per object and scope: tests that each need their own rule use their own project. */
const projectRule = (project: string) => ({ ...taskRule, scope: { project } });
const jobsOf = (ruleId: string) =>
  sql<{ queue_name: string; run_at: Date; payload: any }>(
    app.dbUrl,
    'select q.queue_name, j.run_at, j.payload from graphile_worker._private_jobs j left join graphile_worker._private_job_queues q on q.id = j.job_queue_id where j.key = $1',
    [`sync_run:${ruleId}`],
  );

async function createRule(body: Record<string, unknown> = taskRule, connId = asanaId) {
  const res = await app.fetch(rulesOf(connId), { method: 'POST', json: body });
  const payload = await json(res);
  expect(res.status, JSON.stringify(payload)).toBe(201);
  return payload.rule as Record<string, any>;
}

describe('the catalog', () => {
  it('marks objects sync: true only where an adapter exists, with the local object', async () => {
    const { data } = await app.json('/api/v1/providers');
    const bySlug = Object.fromEntries(data.map((p: any) => [p.slug, p]));
    expect(bySlug.asana.objects).toEqual([expect.objectContaining({ name: 'tasks', sync: true, localObject: 'tasks' })]);
    expect(bySlug.hubspot.objects).toEqual([expect.objectContaining({ name: 'contacts', sync: true, localObject: 'contacts' }), expect.objectContaining({ name: 'deals', sync: false, localObject: null })]);
    expect(bySlug.github.objects).toEqual([expect.objectContaining({ name: 'issues', sync: false, localObject: null })]);
  });
});

describe('suggest-mapping', () => {
  it('pairs firstname + lastname → name and phone_number → phone for contacts', async () => {
    const s = await app.json(`${rulesOf(hubspotId)}/suggest-mapping?object=contacts`);
    expect(s).toMatchObject({ remoteObject: 'contacts', localObject: 'contacts', missingRequired: { local: [], remote: [] } });
    const by = Object.fromEntries(s.pairs.map((p: any) => [p.local, p]));
    expect(by.name).toMatchObject({ remote: ['firstname', 'lastname'], transform: 'name_parts', confidence: expect.any(Number), reason: expect.stringContaining('firstname') });
    expect(by.phone).toMatchObject({ remote: 'phone_number' });
    expect(s.remoteFields.map((f: any) => f.name)).toContain('hs_object_source');
  });

  it('pairs due_on → dueDate for tasks; refuses an object that does not sync, and members', async () => {
    const s = await app.json(`${rulesOf(asanaId)}/suggest-mapping?object=tasks`);
    expect(s.pairs.find((p: any) => p.local === 'dueDate')).toMatchObject({ remote: 'due_on', direction: 'both' });
    const res = await app.fetch(`${rulesOf(hubspotId)}/suggest-mapping?object=deals`);
    expect(res.status).toBe(400);
    const err = await errorBody(res);
    expect(err.code).toBe('validation_failed');
    expect(err.details).toEqual([{ location: 'query', path: 'object', message: "'deals' is not an object HubSpot syncs; objects that sync: contacts" }]);
    expect((await app.fetch(`${rulesOf(asanaId)}/suggest-mapping?object=tasks`, { token: member.token })).status).toBe(403);
  });
});

describe('rules: create, read, change, delete', () => {
  it('creates a rule with the suggested mapping, schedules its first run in the connection queue, and audits it', async () => {
    const rule = await createRule();
    expect(rule).toMatchObject({ connectionId: asanaId, localObject: 'tasks', remoteObject: 'tasks', direction: 'both', scope: taskRule.scope, frequency: 'interval', intervalSeconds: 60, deletePolicy: 'mark', enabled: true, lastRunAt: null, initialImportAt: null, consecutiveFailures: 0 });
    expect(rule.nextRunAt).toEqual(expect.any(String));
    expect(Object.keys(rule)).not.toEqual(expect.arrayContaining(['pullCursor']));
    expect(Object.keys(rule).filter((k) => /cursor|FullPull/i.test(k))).toEqual([]);
    const locals = rule.mapping.map((e: any) => e.local);
    expect(locals).toEqual(expect.arrayContaining(['title', 'dueDate', 'description', 'status']));
    expect(rule.mapping.find((e: any) => e.local === 'title')).toEqual({ local: 'title', remote: 'name', direction: 'both', transform: 'title_minutes' });
    expect(rule.mapping.every((e: any) => !('confidence' in e))).toBe(true);
    const jobs = await jobsOf(rule.id);
    expect(jobs).toEqual([expect.objectContaining({ queue_name: `sync:${asanaId}`, payload: expect.objectContaining({ ruleId: rule.id }) })]);
    const [audit] = await sql(app.dbUrl, "select action, outcome, target_id, details from audit_logs where action = 'sync_rule.create' and target_id = $1", [rule.id]);
    expect(audit).toMatchObject({ outcome: 'success', details: expect.objectContaining({ connectionId: asanaId, mappingDefaulted: true }) });
    expect(await app.json(`${rulesOf(asanaId)}/${rule.id}`)).toEqual({ rule });
    const list = await app.json(rulesOf(asanaId));
    expect(list.data.map((r: any) => r.id)).toContain(rule.id);
  });

  it('changes only the given fields; a new mapping or scope resets the pull cursor; disabling unschedules', async () => {
    const rule = await createRule(projectRule('118'));
    await sql(app.dbUrl, `update sync_rules set pull_cursor = '{"since":"2026-11-29T00:00:00Z"}' where id = $1`, [rule.id]);
    let res = await app.fetch(`${rulesOf(asanaId)}/${rule.id}`, { method: 'PATCH', json: { deletePolicy: 'ignore' } });
    expect(res.status).toBe(200);
    expect((await json(res)).rule).toMatchObject({ deletePolicy: 'ignore', intervalSeconds: 60 });
    expect((await sql(app.dbUrl, 'select pull_cursor from sync_rules where id = $1', [rule.id]))[0]!.pull_cursor).not.toBeNull();
    const mapping = [{ local: 'title', remote: 'name', direction: 'both' }, { local: 'dueDate', remote: 'due_on', direction: 'in' }];
    res = await app.fetch(`${rulesOf(asanaId)}/${rule.id}`, { method: 'PATCH', json: { mapping } });
    expect(res.status).toBe(200);
    expect((await json(res)).rule.mapping).toEqual(mapping);
    expect((await sql(app.dbUrl, 'select pull_cursor from sync_rules where id = $1', [rule.id]))[0]!.pull_cursor).toBeNull();
    res = await app.fetch(`${rulesOf(asanaId)}/${rule.id}`, { method: 'PATCH', json: { enabled: false } });
    expect((await json(res)).rule).toMatchObject({ enabled: false, nextRunAt: null });
    expect(await jobsOf(rule.id)).toEqual([]);
    res = await app.fetch(`${rulesOf(asanaId)}/${rule.id}`, { method: 'PATCH', json: { enabled: true } });
    expect((await json(res)).rule.nextRunAt).toEqual(expect.any(String));
    expect(await jobsOf(rule.id)).toHaveLength(1);
    const audits = await sql<{ details: { changedFields: string[] } }>(app.dbUrl, "select details from audit_logs where action = 'sync_rule.update' and target_id = $1 order by id", [rule.id]);
    expect(audits.map((a) => a.details.changedFields)).toEqual([['deletePolicy'], ['mapping'], ['enabled'], ['enabled']]);
  });

  it('deletes a rule and its queued run (204), then answers 404', async () => {
    const rule = await createRule(projectRule('140'));
    expect((await app.fetch(`${rulesOf(asanaId)}/${rule.id}`, { method: 'DELETE' })).status).toBe(204);
    expect(await jobsOf(rule.id)).toEqual([]);
    const res = await app.fetch(`${rulesOf(asanaId)}/${rule.id}`);
    expect(res.status).toBe(404);
    expect((await errorBody(res)).message).toBe(`Sync rule '${rule.id}' was not found.`);
    expect(await sql(app.dbUrl, "select 1 from audit_logs where action = 'sync_rule.delete' and target_id = $1", [rule.id])).toHaveLength(1);
    // A rule is found only under its own connection.
    const other = await createRule(projectRule('140'));
    expect((await app.fetch(`${rulesOf(hubspotId)}/${other.id}`)).status).toBe(404);
    expect((await app.fetch(`${rulesOf('6f1c1a43-1111-4111-8111-111111111111')}`)).status).toBe(404);
  });

  it('refuses a second rule for the same object and scope (409 naming the rule to change), which would copy every record twice', async () => {
    const first = await createRule(projectRule('dup'));
    const res = await app.fetch(rulesOf(asanaId), { method: 'POST', json: { ...projectRule('dup'), direction: 'in' } });
    expect(res.status).toBe(409);
    const err = await errorBody(res);
    expect(err).toMatchObject({ code: 'conflict', details: { connectionId: asanaId, existingRuleId: first.id, remoteObject: 'tasks' } });
    expect(err.message).toMatch(/^Asana \(ops\) already has a rule for tasks with this scope \(rule \d+, id [0-9a-f-]+\); two would copy every record twice\. Change that rule instead \(PATCH \/api\/v1\/connections\/[0-9a-f-]+\/rules\/[0-9a-f-]+\), or delete it first\.$/);
    expect((await app.json(rulesOf(asanaId))).data.filter((r: any) => r.scope.project === 'dup')).toHaveLength(1);
    // Another scope is other records: allowed. Once the first rule is deleted, the object can get a rule again.
    await createRule(projectRule('dup-2'));
    expect((await app.fetch(`${rulesOf(asanaId)}/${first.id}`, { method: 'DELETE' })).status).toBe(204);
    await createRule(projectRule('dup'));
  });

  it('answers 400 with every issue: interval 10, unknown fields, a missing required scope, an object without adapter', async () => {
    const bad = async (body: unknown, connId = asanaId) => {
      const res = await app.fetch(rulesOf(connId), { method: 'POST', json: body });
      expect(res.status).toBe(400);
      const err = await errorBody(res);
      expect(err.code).toBe('validation_failed');
      return err.details as Array<{ location: string; path: string; message: string }>;
    };
    expect(await bad({ ...taskRule, intervalSeconds: 10 })).toEqual([expect.objectContaining({ location: 'body', path: 'intervalSeconds', message: expect.stringContaining('at least 30 seconds') })]);
    expect((await bad({ ...taskRule, intervalSeconds: 10 }))[0]!.message).toBe("must be at least 30 seconds (from 30 to 86400): polling faster only spends the provider's rate limit");
    expect(await bad({ ...taskRule, intervalSeconds: 86_401 })).toEqual([expect.objectContaining({ path: 'intervalSeconds' })]);
    const fields = await bad({ ...taskRule, mapping: [{ local: 'titel', remote: 'name', direction: 'both' }, { local: 'dueDate', remote: 'due_date', direction: 'out' }] });
    expect(fields.map((d) => d.path)).toEqual(['mapping.0.local', 'mapping.1.remote', 'mapping']);
    expect(fields[1]!.message).toMatch(/'due_date' is not a field of tasks/);
    const inRule = await bad({ ...taskRule, direction: 'in', mapping: [{ local: 'title', remote: 'name', direction: 'out' }] });
    expect(inRule).toEqual([expect.objectContaining({ path: 'mapping.0.direction', message: expect.stringContaining("'out' cannot flow on a rule whose direction is 'in'") }), expect.objectContaining({ path: 'mapping' })]);
    expect(await bad({ remoteObject: 'tasks' })).toEqual([{ location: 'body', path: 'scope.project', message: 'is required: the Project whose tasks this rule syncs' }]);
    expect(await bad({ ...taskRule, scope: { workspace: '1' } })).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'scope.workspace' })]));
    expect(await bad({ remoteObject: 'deals' }, hubspotId)).toEqual([{ location: 'body', path: 'remoteObject', message: "'deals' is not an object HubSpot syncs; objects that sync: contacts" }]);
    expect(await bad({ ...taskRule, pullCursor: null })).toEqual([expect.objectContaining({ path: '' })]);
    expect((await bad({ remoteObject: 'contacts', localObject: 'tasks' }, hubspotId))[0]).toMatchObject({ path: 'localObject' });
  });

  it('refuses a Member (403) and audits the refusal; Members may read the sync runs', async () => {
    const res = await app.fetch(rulesOf(asanaId), { method: 'POST', json: taskRule, token: member.token });
    expect(res.status).toBe(403);
    expect((await errorBody(res)).code).toBe('forbidden');
    const [refusal] = await sql(app.dbUrl, "select outcome, actor_member_id, details from audit_logs where action = 'sync_rules.manage' and outcome = 'refused' order by id desc limit 1");
    expect(refusal).toMatchObject({ actor_member_id: member.member.id, details: expect.objectContaining({ role: 'member', requiredRole: 'admin' }) });
    expect((await sql(app.dbUrl, 'select count(*)::int as n from sync_rules where created_by_id = $1', [member.member.id]))[0]!.n).toBe(0);
    expect((await app.fetch(`/api/v1/connections/${asanaId}/sync-runs`, { token: member.token })).status).toBe(200);
  });
});

describe('running a rule', () => {
  it('queues a run (202) with a sync_runs row and a job in the connection queue; a second request answers the same run', async () => {
    const rule = await createRule(projectRule('188'));
    const res = await app.fetch(`${rulesOf(asanaId)}/${rule.id}/run`, { method: 'POST' });
    expect(res.status).toBe(202);
    const body = await json(res);
    expect(body).toMatchObject({ alreadyRunning: false, run: { ruleId: rule.id, connectionId: asanaId, provider: 'asana', object: 'tasks', trigger: 'manual', status: 'queued', recordErrors: [], conflicts: [], warnings: [] } });
    const [row] = await sql(app.dbUrl, 'select status, trigger, requested_by_id from sync_runs where id = $1', [body.run.id]);
    expect(row).toMatchObject({ status: 'queued', trigger: 'manual' });
    expect(await jobsOf(rule.id)).toEqual([expect.objectContaining({ queue_name: `sync:${asanaId}`, payload: expect.objectContaining({ ruleId: rule.id, runId: body.run.id }) })]);
    const again = await app.fetch(`${rulesOf(asanaId)}/${rule.id}/run`, { method: 'POST' });
    expect(again.status).toBe(202);
    expect(await json(again)).toMatchObject({ alreadyRunning: true, run: { id: body.run.id } });
    expect(await sql(app.dbUrl, 'select 1 from sync_runs where rule_id = $1', [rule.id])).toHaveLength(1);
    expect((await app.fetch(`${rulesOf(asanaId)}/${rule.id}/run`, { method: 'POST', token: member.token })).status).toBe(403);
  });

  it('refuses a paused connection (409, saying to resume first) and a disabled rule', async () => {
    const connId = await connection('asana', 'Asana (paused)');
    const rule = await createRule(taskRule, connId);
    expect((await app.fetch(`/api/v1/connections/${connId}/pause`, { method: 'POST' })).status).toBe(200);
    let res = await app.fetch(`${rulesOf(connId)}/${rule.id}/run`, { method: 'POST' });
    expect(res.status).toBe(409);
    const err = await errorBody(res);
    expect(err).toMatchObject({ code: 'invalid_transition', message: expect.stringMatching(/is paused\. Resume it first/) });
    expect((await app.fetch(`/api/v1/connections/${connId}/resume`, { method: 'POST' })).status).toBe(200);
    await app.fetch(`${rulesOf(connId)}/${rule.id}`, { method: 'PATCH', json: { enabled: false } });
    res = await app.fetch(`${rulesOf(connId)}/${rule.id}/run`, { method: 'POST' });
    expect(res.status).toBe(409);
    expect((await errorBody(res)).message).toMatch(/disabled/);
  });
});

describe('sync runs', () => {
  it('lists runs newest first with cursor pages, filters by rule, and shows one run', async () => {
    const connId = await connection('hubspot', 'HubSpot (runs)');
    const rule = await createRule({ remoteObject: 'contacts' }, connId);
    const em = app.pb.rt.em();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const run = em.create(SyncRun, {
        workspace: workspaceId, connection: connId, rule: i < 4 ? rule.id : null, providerSlug: 'hubspot', localObject: 'contacts', direction: 'both', trigger: 'schedule',
        status: 'succeeded', pulled: i, correlationId: `corr-${i}`, createdAt: new Date(Date.UTC(2026, 10, 29, 10, i)),
        warnings: i === 2 ? ["field mapping mismatch: HubSpot contacts no longer have 'phone_number' (mapped to phone); edit the rule's mapping"] : [],
      });
      ids.push(run.id);
    }
    await em.flush();
    const first = await app.json(`/api/v1/connections/${connId}/sync-runs?limit=2`);
    expect(first.data.map((r: any) => r.id)).toEqual([ids[4], ids[3]]);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await app.json(`/api/v1/connections/${connId}/sync-runs?limit=2&cursor=${first.nextCursor}`);
    expect(second.data.map((r: any) => r.id)).toEqual([ids[2], ids[1]]);
    expect(second.data[0]).toMatchObject({ counts: { pulled: 2 }, warnings: [expect.stringContaining('field mapping mismatch')] });
    const third = await app.json(`/api/v1/connections/${connId}/sync-runs?limit=2&cursor=${second.nextCursor}`);
    expect(third).toEqual({ data: [expect.objectContaining({ id: ids[0] })], nextCursor: null });
    const byRule = await app.json(`/api/v1/connections/${connId}/sync-runs?rule_id=${rule.id}`);
    expect(byRule.data.map((r: any) => r.id)).toEqual([ids[3], ids[2], ids[1], ids[0]]);
    expect(await app.json(`/api/v1/connections/${connId}/sync-runs/${ids[2]}`)).toMatchObject({ id: ids[2], status: 'succeeded', ruleId: rule.id });
    expect((await app.fetch(`/api/v1/connections/${asanaId}/sync-runs/${ids[2]}`)).status).toBe(404);
    expect((await app.fetch(`/api/v1/connections/${connId}/sync-runs?cursor=nope`)).status).toBe(400);
  });
});
