/**
 * Keeping OAuth tokens fresh. Refreshes are serialised per connection with a Postgres advisory
 * lock, because rotating refresh tokens are single-use: two racing refreshes would burn the
 * token and lock the connection out. A refresh that finds another one just happened reuses it.
 * A dead grant errors the connection through the lifecycle writer.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { withAdvisoryLock } from '../db/locks.ts';
import { Connection } from '../entities/connection.ts';
import { AppError } from '../errors.ts';
import { enqueue } from '../jobs/enqueue.ts';
import { refreshToken } from '../providers/_shared/oauth.ts';
import { connectionUrls } from '../providers/_shared/urls.ts';
import { egressPolicy } from '../net/egress.ts';
import { getProvider } from '../providers/registry.ts';
import type { Credentials } from '../providers/types.ts';
import type { Runtime } from '../runtime.ts';
import { systemActor } from './actor.ts';
import { loadCredentials } from './credentials.ts';
import { writeConnectionLog } from './log.ts';
import { scrubText } from '../logger.ts';
import { oauthClientFor } from './oauth-apps.ts';
import { markErrored } from './system-transitions.ts';

/** Long-lived tokens are refreshed this long before they expire. */
export const REFRESH_MARGIN_MS = 5 * 60_000;
/** Never refresh a token sooner than this after it was issued: short-lived tokens must not loop. */
export const REFRESH_FLOOR_MS = 30_000;
/** A job may run this much early (database clock vs ours) and still count as due. */
const DUE_SLACK_MS = 2_000;

/**
 * When a token valid from `issuedAt` to `expiresAt` (epoch ms) should be refreshed: the later of
 * its half-life and five minutes before expiry, and never before the floor. A one-hour token is
 * refreshed at 55 min, a 300 s one (Keycloak's default) at 150 s, a 60 s one at 30 s — once per
 * token, where `exp − 5 min` alone would refresh short-lived tokens every second, forever.
 */
export function refreshAt(issuedAt: number, expiresAt: number): number {
  const lifetime = expiresAt - issuedAt;
  return Math.max(issuedAt + REFRESH_FLOOR_MS, issuedAt + lifetime / 2, expiresAt - REFRESH_MARGIN_MS);
}

/** Whether a stored token is due for its proactive refresh (issue time unknown: the plain margin). */
export function refreshDue(token: { tokenExpiresAt?: Date | null; tokenRefreshedAt?: Date | null }, now = Date.now()): boolean {
  if (!token.tokenExpiresAt) return false;
  const exp = token.tokenExpiresAt.getTime();
  if (!token.tokenRefreshedAt) return exp - now < REFRESH_MARGIN_MS;
  const issuedAt = token.tokenRefreshedAt.getTime();
  return now >= Math.max(issuedAt + REFRESH_FLOOR_MS, refreshAt(issuedAt, exp) - DUE_SLACK_MS);
}

export type RefreshReason = 'expiring' | 'unauthorized' | 'keepalive' | 'scheduled';

/** Queues the proactive refresh for a token (replacing any earlier schedule for the connection). */
export async function scheduleRefresh(em: EntityManager, workspaceId: string, connectionId: string, expiresAt: Date, issuedAt = Date.now()): Promise<void> {
  const runAt = new Date(refreshAt(issuedAt, expiresAt.getTime()));
  await enqueue(em, 'refresh_token', { connectionId, workspaceId }, { runAt, jobKey: `refresh_token:${connectionId}` });
}

/**
 * Refreshes a connection's OAuth token. Returns the fresh credentials, or null when the grant is
 * gone (the connection is then errored with "authorization revoked — Reconnect"). Transient
 * failures throw, so a job retries with backoff.
 */
export async function refreshConnectionToken(
  rt: Runtime,
  workspaceId: string,
  connectionId: string,
  opts: { reason: RefreshReason; force?: boolean },
): Promise<Credentials | null> {
  const requestedAt = Date.now();
  return await withAdvisoryLock(rt.db.pool, `refresh:${connectionId}`, async () => {
    const em = rt.em();
    const conn = await em.findOne(Connection, { id: connectionId, workspace: workspaceId });
    if (!conn || conn.status === 'disconnected') return null;
    const current = await loadCredentials(rt, em, conn);
    if (current.type !== 'oauth2') return current;
    // Someone else refreshed while we waited for the lock: use theirs rather than burn a rotating token.
    if (conn.tokenRefreshedAt && conn.tokenRefreshedAt.getTime() >= requestedAt) return current;
    if (!opts.force && opts.reason !== 'keepalive' && conn.tokenExpiresAt && !refreshDue(conn)) return current;
    const provider = getProvider(conn.providerSlug);
    const urls = connectionUrls(provider, rt.config, 'oauth2', conn.metadata.urls, current);
    const ref = { workspaceId, connectionId };
    let fresh: Extract<Credentials, { type: 'oauth2' }>;
    try {
      const app = await oauthClientFor(rt, workspaceId, provider);
      fresh = await refreshToken(provider, urls, app, current, { logger: rt.logger, egress: egressPolicy(rt.config, { resolver: rt.net.resolver }) });
    } catch (err) {
      const grantGone = err instanceof AppError && err.code === 'provider_auth_failed';
      await writeConnectionLog(rt.em(), ref, {
        level: grantGone ? 'error' : 'warn',
        kind: 'refresh',
        message: `Token refresh failed: ${scrubText(err instanceof Error ? err.message : String(err))}`,
        plain: true, // the provider's words are scrubbed above; "Token refresh" itself is no secret
        data: { reason: opts.reason, code: err instanceof AppError ? err.code : 'internal_error' },
      });
      if (grantGone) {
        await markErrored(rt, systemActor(workspaceId, 'token refresh'), connectionId, 'Authorization revoked — Reconnect.');
        return null;
      }
      throw err;
    }
    await em.transactional(async (tx) => {
      const c = await tx.findOneOrFail(Connection, { id: connectionId });
      c.credentials = rt.vault.encrypt(fresh);
      c.tokenExpiresAt = fresh.expiresAt ? new Date(fresh.expiresAt) : null;
      c.tokenRefreshedAt = new Date();
      c.metadata = { ...c.metadata, scopes: fresh.scopes.length ? fresh.scopes : c.metadata.scopes };
      await tx.flush();
      await writeConnectionLog(tx, ref, {
        level: 'info',
        kind: 'refresh',
        message: `Access token refreshed (${opts.reason}).`,
        plain: true,
        data: { reason: opts.reason, expiresAt: fresh.expiresAt ?? null },
      });
      if (c.tokenExpiresAt) await scheduleRefresh(tx, workspaceId, connectionId, c.tokenExpiresAt, c.tokenRefreshedAt.getTime());
    });
    return fresh;
  });
}
