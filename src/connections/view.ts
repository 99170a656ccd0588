import type { IConnection } from '../entities/connection.ts';
import { getProvider } from '../providers/registry.ts';

/** The public shape of a connection: what the API returns, events snapshot and chat renders. Never credentials. */
export function connectionView(c: IConnection, providerName?: string) {
  return {
    id: c.id,
    provider: c.providerSlug,
    providerName: providerName ?? c.providerSlug,
    displayName: c.displayName,
    status: c.status,
    statusReason: c.statusReason ?? null,
    pausedBy: c.pausedBy ?? null,
    pausedUntil: c.pausedUntil ? c.pausedUntil.toISOString() : null,
    authKind: c.authKind,
    account: c.metadata.accountId || c.metadata.accountName
      ? { id: c.metadata.accountId ?? null, name: c.metadata.accountName ?? null }
      : null,
    scopes: c.metadata.scopes ?? [],
    lastSyncAt: c.lastSyncAt ? c.lastSyncAt.toISOString() : null,
    lastSyncCount: c.lastSyncCount ?? null,
    consecutiveFailures: c.consecutiveFailures,
    createdBy: c.createdBy ?? null,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
    disconnectedAt: c.disconnectedAt ? c.disconnectedAt.toISOString() : null,
  };
}

export type ConnectionView = ReturnType<typeof connectionView>;

/** The view with the provider's display name from the registry (a removed provider shows its slug). */
export function viewOf(c: IConnection): ConnectionView {
  let name: string | undefined;
  try {
    name = getProvider(c.providerSlug).definition.displayName;
  } catch {
    name = undefined;
  }
  return connectionView(c, name);
}
