/**
 * The apply job of a connection's webhooks. It runs in the connection's sync queue, so never
 * beside a sync step of the same connection, and turns the receipts stored since it last ran into
 * incremental runs of the realtime rules of the objects they concern (one run per rule, however
 * many deliveries arrived: the run pulls from its cursor and so sees every change).
 */
import { pgArray } from '../db/pg-array.ts';
import { Connection } from '../entities/connection.ts';
import { SyncRule, type ISyncRule } from '../entities/sync-rule.ts';
import { SyncRun } from '../entities/sync-run.ts';
import type { TaskContext } from '../jobs/define-task.ts';
import { enqueue } from '../jobs/enqueue.ts';
import { getProvider } from '../providers/registry.ts';
import type { Runtime } from '../runtime.ts';
import { requestRun, syncQueueName } from '../sync/schedule.ts';
import { applyJobKey } from './intake.ts';

/** How long receipts wait while a run of their rule is mid-way (it may have read past their change). */
const RUNNING_RECHECK_MS = 5_000;

export async function applyInbound(rt: Runtime, connectionId: string, tctx: TaskContext): Promise<void> {
  const em = tctx.em;
  // The database's clock, which stamped the receipts: this process's may run behind it.
  const [{ at: startedAt }] = (await em.execute<Array<{ at: Date }>>('select clock_timestamp() as at')) as [{ at: Date }];
  // Per object: the resources the deliveries came through (registrations), and whether any came
  // through none (an admin-configured or app-level webhook), which concerns every rule of the object.
  const pending = await em.execute<Array<{ object: string; resources: string[] | null; unscoped: boolean }>>(
    `select object, array_agg(distinct resource) filter (where resource is not null) as resources, bool_or(resource is null) as unscoped
       from inbound_receipts where connection_id = ? and processed_at is null and received_at <= ? group by object`,
    [connectionId, startedAt],
  );
  if (!pending.length) return;
  const conn = await em.findOne(Connection, { id: connectionId });
  const done = async (objects: string[]) => {
    if (!objects.length) return;
    await em.execute(`update inbound_receipts set processed_at = now() where connection_id = ? and processed_at is null and received_at <= ? and object = any(?::text[])`, [
      connectionId,
      startedAt,
      pgArray(objects),
    ]);
  };
  const objects = pending.map((p) => p.object);
  if (!conn || conn.status !== 'connected') {
    // A paused or errored connection is reconciled by its first run after it recovers.
    tctx.logger.info({ connectionId, status: conn?.status ?? 'deleted' }, 'webhook changes not applied: the connection is not connected');
    await done(objects);
    return;
  }
  await em.execute(`update provider_webhooks set last_received_at = now() where connection_id = ? and status = 'active'`, [connectionId]);
  const wh = getProvider(conn.providerSlug).webhooks;
  if (wh?.scheme.routing === 'app') {
    // App-level webhooks (HubSpot) were configured at the provider's app, not registered here: the
    // row records that they arrive, so the connection shows them and its realtime rules only reconcile.
    await em.execute(
      `insert into provider_webhooks (id, workspace_id, connection_id, provider_slug, resource, origin, status, last_received_at, created_at, updated_at)
       values (gen_random_uuid(), ?, ?, ?, 'app', 'admin', 'active', now(), now(), now())
       on conflict (connection_id, resource) do update set last_received_at = now(), updated_at = now()`,
      [conn.workspace, conn.id, conn.providerSlug],
    );
  }
  // A change that came through one registration (an Asana project, a calendar) runs only the rules watching it.
  const resourcesFor = wh?.resourcesFor;
  const concerns = (rule: ISyncRule) => {
    const p = pending.find((x) => x.object === rule.remoteObject);
    return Boolean(p) && (p!.unscoped || !resourcesFor || resourcesFor(rule).some((r) => p!.resources?.includes(r)));
  };
  const rules = (await em.find(SyncRule, { connection: connectionId, enabled: true, frequency: 'realtime', remoteObject: { $in: objects } })).filter(concerns);
  const deferred = new Set<string>();
  for (const rule of rules) {
    const running = await em.findOne(SyncRun, { rule: rule.id, status: 'running' });
    if (running && running.createdAt < startedAt) {
      deferred.add(rule.remoteObject);
      continue;
    }
    const { run, alreadyRunning } = await requestRun(em, conn.workspace, rule.id, { trigger: 'webhook' });
    tctx.logger.info({ ruleId: rule.id, runId: run.id, alreadyQueued: alreadyRunning }, 'webhook change: incremental run requested');
  }
  const unmatched = objects.filter((o) => !rules.some((r) => r.remoteObject === o));
  if (unmatched.length) tctx.logger.info({ connectionId, objects: unmatched }, 'webhook changes for objects no realtime rule syncs: ignored');
  await done(objects.filter((o) => !deferred.has(o)));
  if (deferred.size) {
    await enqueue(em, 'inbound_apply', { connectionId }, { queueName: syncQueueName(connectionId), jobKey: applyJobKey(connectionId), jobKeyMode: 'preserve_run_at', runAt: new Date(Date.now() + RUNNING_RECHECK_MS) });
  }
}
