/**
 * Webhooks Patchbay keeps at providers for realtime rules: registered when a realtime rule needs
 * a resource watched, renewed before they expire, removed when no rule needs them or the
 * connection is disconnected. One job per connection does the provider calls (`provider_webhooks`
 * queue), so two rule edits never register the same resource twice.
 */
import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { openSession, type ProviderSession } from '../connections/provider-session.ts';
import { writeConnectionLog } from '../connections/log.ts';
import { withAdvisoryLock } from '../db/locks.ts';
import { viewOf } from '../connections/view.ts';
import { recordEvent } from '../events/record.ts';
import { Connection } from '../entities/connection.ts';
import { ProviderWebhook } from '../entities/provider-webhook.ts';
import { SyncRule } from '../entities/sync-rule.ts';
import { AppError } from '../errors.ts';
import { enqueue } from '../jobs/enqueue.ts';
import { scrubText } from '../logger.ts';
import { getProvider } from '../providers/registry.ts';
import type { Runtime } from '../runtime.ts';
import type { ProviderWebhooks } from './scheme.ts';

/** The URL a provider sends this connection's webhooks to (with the registration, where handshakes need it). */
export function inboundUrl(rt: Runtime, slug: string, connectionId: string, registrationId?: string): string {
  return `${rt.config.PUBLIC_URL}/webhooks/${slug}/${connectionId}${registrationId ? `/${registrationId}` : ''}`;
}

/** Queues the connection's registration job (in the caller's transaction: after a rule change commits). */
export async function queueRegistrationSync(em: EntityManager, connectionId: string): Promise<void> {
  await enqueue(em, 'provider_webhooks_sync', { connectionId }, { queueName: `provider_webhooks:${connectionId}`, jobKey: `provider_webhooks_sync:${connectionId}`, maxAttempts: 8 });
}

/** Stores the secret a handshake handed over, for a registration in flight only (`pending`). */
export async function acceptHandshake(rt: Runtime, connectionId: string, registrationId: string, secret: string): Promise<boolean> {
  if (!secret || secret.length > 512) return false;
  const { rowCount } = await rt.db.pool.query(`update provider_webhooks set secret = $3, updated_at = now() where id = $1 and connection_id = $2 and status = 'pending'`, [
    registrationId,
    connectionId,
    rt.vault.encrypt(secret),
  ]);
  return rowCount === 1;
}

const errorText = (err: unknown) => (err instanceof AppError ? scrubText(err.message) : 'unexpected error').slice(0, 500);

/** What the connection's enabled realtime rules need watched at the provider. */
async function desiredResources(em: EntityManager, connectionId: string, resourcesFor: NonNullable<ProviderWebhooks['resourcesFor']>): Promise<Set<string>> {
  const rules = await em.find(SyncRule, { connection: connectionId, enabled: true, frequency: 'realtime' });
  return new Set(rules.flatMap((r) => resourcesFor(r)));
}

/**
 * Makes the provider's webhooks match the connection's realtime rules: registers what is missing
 * (or failed before), removes what no rule needs. A failure is recorded on the row and the
 * connection's log, and thrown so the job retries with backoff.
 */
export async function syncRegistrations(rt: Runtime, connectionId: string): Promise<void> {
  await withRegistrationLock(rt, connectionId, () => syncUnderLock(rt, connectionId));
}

/**
 * One writer of a connection's registrations at a time: the sync job, a renewal, and a
 * disconnect (which holds it from removing the webhooks until the connection is marked
 * disconnected, so a sync waiting on it finds the connection gone instead of registering anew).
 */
export async function withRegistrationLock<T>(rt: Runtime, connectionId: string, fn: () => Promise<T>): Promise<T> {
  return await withAdvisoryLock(rt.db.pool, `provider-webhooks:${connectionId}`, fn);
}

async function syncUnderLock(rt: Runtime, connectionId: string): Promise<void> {
  const em = rt.em();
  const conn = await em.findOne(Connection, { id: connectionId });
  if (!conn || conn.status === 'disconnected') return;
  const provider = getProvider(conn.providerSlug);
  const wh = provider.webhooks;
  if (!wh?.register || !wh.resourcesFor) return;
  // A paused or errored connection keeps its webhooks; changes wait until it is connected again.
  if (conn.status !== 'connected') return;
  const desired = await desiredResources(em, conn.id, wh.resourcesFor);
  const existing = await em.find(ProviderWebhook, { connection: conn.id, origin: 'registered' }, { populate: ['secret'] });
  const toAdd = [...desired].filter((res) => !existing.some((e) => e.resource === res && e.status === 'active'));
  const toRemove = existing.filter((e) => !desired.has(e.resource));
  if (!toAdd.length && !toRemove.length) return;
  const session = await openSession(rt, conn.workspace, conn);
  const failures: string[] = [];
  for (const resource of toAdd) {
    try {
      await registerOne(rt, session, resource);
    } catch (err) {
      failures.push(`${resource}: ${errorText(err)}`);
    }
  }
  for (const row of toRemove) await removeOne(rt, session, row);
  if (failures.length) throw new AppError('provider_error', `Could not register the ${provider.definition.displayName} webhooks (${failures.join('; ')}); retrying.`);
}

async function registerOne(rt: Runtime, session: ProviderSession, resource: string): Promise<void> {
  const { connection: conn, provider } = session;
  const wh = provider.webhooks!;
  const secret = randomBytes(32).toString('hex');
  // Committed before the call: a handshake arriving while it is in flight finds the row (`pending`).
  const { rows } = await rt.db.pool.query<{ id: string }>(
    `insert into provider_webhooks (id, workspace_id, connection_id, provider_slug, resource, secret, origin, status, created_at, updated_at)
     values (gen_random_uuid(), $1, $2, $3, $4, $5, 'registered', 'pending', now(), now())
     on conflict (connection_id, resource) do update set status = 'pending', secret = excluded.secret, updated_at = now()
     returning id`,
    [conn.workspace, conn.id, provider.definition.slug, resource, rt.vault.encrypt(secret)],
  );
  const id = rows[0]!.id;
  try {
    // A refusal here is usually a missing webhook scope or role, not dead credentials: it fails
    // the registration (logged, retried, polling continues) without erroring a working connection.
    const r = await session.call((ctx) => wh.register!(ctx, { url: inboundUrl(rt, provider.definition.slug, conn.id, id), resource, registrationId: id, secret }), { errorOnAuthFailure: false });
    await rt.db.pool.query(
      `update provider_webhooks set status = 'active', remote_id = $2, expires_at = $3, secret = coalesce($4, secret), error = null, updated_at = now() where id = $1`,
      [id, r.remoteId, r.expiresAt ?? null, r.secret ? rt.vault.encrypt(r.secret) : null],
    );
    await writeConnectionLog(rt.em(), { workspaceId: conn.workspace, connectionId: conn.id }, { level: 'info', kind: 'webhook', message: `${provider.definition.displayName} webhook registered for ${resource}: changes now arrive in real time.` });
  } catch (err) {
    await rt.em().transactional(async (tx) => {
      // The retry that fails again stays quiet: one alert per registration that starts failing.
      const was = await tx.execute<Array<{ failed: boolean }>>(`select error is not null as failed from provider_webhooks where id = ?`, [id]);
      await tx.execute(`update provider_webhooks set status = 'failed', error = ?, updated_at = now() where id = ?`, [errorText(err), id]);
      await writeConnectionLog(tx, { workspaceId: conn.workspace, connectionId: conn.id }, { level: 'warn', kind: 'webhook', message: `Could not register the ${provider.definition.displayName} webhook for ${resource}: ${errorText(err)}. Polling continues meanwhile.` }, { flush: false });
      if (!was[0]?.failed) {
        await recordEvent(tx, { workspaceId: conn.workspace, type: 'connection_webhook_failed', entityId: conn.id, snapshot: viewOf(conn), data: { resource, reason: errorText(err) } });
      }
    });
    throw err;
  }
}

/** Removes one at the provider (best effort: a failure is logged, the row goes anyway). */
async function removeOne(rt: Runtime, session: ProviderSession, row: { id: string; resource: string; remoteId?: string | null; secret?: string | null }): Promise<void> {
  const wh = session.provider.webhooks!;
  if (row.remoteId && wh.unregister) {
    try {
      const secret = row.secret ? rt.vault.decrypt<string>(row.secret) : null;
      await session.call((ctx) => wh.unregister!(ctx, { remoteId: row.remoteId!, resource: row.resource, secret }), { pauseOnRateLimit: false, errorOnAuthFailure: false });
    } catch (err) {
      rt.logger.warn({ connectionId: session.connection.id, resource: row.resource, err: errorText(err) }, 'could not remove a provider webhook');
    }
  }
  await rt.db.pool.query('delete from provider_webhooks where id = $1', [row.id]);
}

/** On disconnect, before the credentials go: removes every webhook Patchbay registered for the connection. */
export async function removeAllRegistrations(rt: Runtime, session: ProviderSession): Promise<number> {
  const rows = await rt.em().find(ProviderWebhook, { connection: session.connection.id }, { populate: ['secret'] });
  for (const row of rows) await removeOne(rt, session, row);
  return rows.length;
}

/**
 * Renews registrations close to expiry (Google channels live days, not forever): a new one is
 * registered with the same secret, then the old one is removed, so no change falls in between —
 * or, where the provider can (`renew`: Graph subscriptions), extended in place.
 */
export async function renewExpiring(rt: Runtime, now = new Date()): Promise<number> {
  const { rows } = await rt.db.pool.query<{ id: string; connection_id: string; workspace_id: string; provider_slug: string; resource: string; remote_id: string | null; secret: string | null; expires_at: Date }>(
    `select w.id, w.connection_id, w.workspace_id, w.provider_slug, w.resource, w.remote_id, w.secret, w.expires_at from provider_webhooks w
       join connections c on c.id = w.connection_id
      where w.origin = 'registered' and w.status = 'active' and w.expires_at is not null and c.status = 'connected'
        and w.expires_at < $1::timestamptz + interval '2 days' order by w.expires_at limit 200`,
    [now],
  );
  let renewed = 0;
  for (const row of rows) {
    const provider = getProvider(row.provider_slug);
    const wh = provider.webhooks;
    if (!wh?.register || row.expires_at.getTime() - now.getTime() > (wh.renewBeforeSeconds ?? 86_400) * 1000) continue;
    const secret = row.secret ? rt.vault.decrypt<string>(row.secret) : randomBytes(32).toString('hex');
    try {
      const done = await withRegistrationLock(rt, row.connection_id, async () => {
        // Re-read under the lock: a disconnect may have removed it since the list was read.
        const { rowCount } = await rt.db.pool.query(`select 1 from provider_webhooks w join connections c on c.id = w.connection_id where w.id = $1 and w.status = 'active' and c.status = 'connected'`, [row.id]);
        if (!rowCount) return false;
        const session = await openSession(rt, row.workspace_id, row.connection_id);
        // Extended in place where the provider can (Graph subscriptions); else a new one replaces it.
        const extended = wh.renew && row.remote_id ? await session.call((ctx) => wh.renew!(ctx, { remoteId: row.remote_id!, resource: row.resource, secret }), { errorOnAuthFailure: false }) : null;
        if (extended) {
          await rt.db.pool.query(`update provider_webhooks set expires_at = $2, updated_at = now() where id = $1`, [row.id, extended.expiresAt]);
          return true;
        }
        const r = await session.call((ctx) => wh.register!(ctx, { url: inboundUrl(rt, row.provider_slug, row.connection_id, row.id), resource: row.resource, registrationId: row.id, secret }), { errorOnAuthFailure: false });
        await rt.db.pool.query(`update provider_webhooks set remote_id = $2, expires_at = $3, secret = coalesce($4, secret), updated_at = now() where id = $1`, [
          row.id,
          r.remoteId,
          r.expiresAt ?? null,
          r.secret ? rt.vault.encrypt(r.secret) : null,
        ]);
        if (row.remote_id && wh.unregister) {
          await session.call((ctx) => wh.unregister!(ctx, { remoteId: row.remote_id!, resource: row.resource, secret }), { pauseOnRateLimit: false }).catch((err: unknown) => {
            rt.logger.warn({ connectionId: row.connection_id, err: errorText(err) }, 'could not stop the replaced provider webhook; it expires on its own');
          });
        }
        return true;
      });
      if (done) renewed++;
    } catch (err) {
      rt.logger.warn({ connectionId: row.connection_id, resource: row.resource, err: errorText(err) }, 'could not renew a provider webhook; retrying at the next renewal pass');
    }
  }
  return renewed;
}

/**
 * Whether a connection's changes arrive by webhook (realtime rules then poll only to reconcile):
 * an active registration or admin secret, or app-level webhooks heard from within a day.
 */
export async function webhooksLive(em: EntityManager, connectionId: string): Promise<boolean> {
  const rows = await em.execute<Array<{ live: boolean }>>(
    `select exists (select 1 from provider_webhooks where connection_id = ? and status = 'active' and (secret is not null or last_received_at > now() - interval '1 day')) as live`,
    [connectionId],
  );
  return Boolean(rows[0]?.live);
}
