/** Test setup shared by the provider suites: a workspace of its own with a connection written straight to the table. */
import { Connection, type ConnectionMetadata } from '../../src/entities/connection.ts';
import type { Credentials } from '../../src/providers/types.ts';
import { createWorkspace } from '../../src/workspaces/workspaces.ts';
import type { TestApp } from './app.ts';

export type WorkspaceConnection = { workspaceId: string; token: string; connectionId: string };

/**
 * A new workspace (`slug`, Ada as its Owner) and a connection to `provider` in it with these
 * credentials (encrypted, as the connect flow stores them — which has tests of its own).
 */
export async function workspaceWithConnection(
  app: TestApp,
  opts: { slug: string; name?: string; provider: string; displayName: string; credentials: Credentials; metadata?: ConnectionMetadata },
): Promise<WorkspaceConnection> {
  const ws = await createWorkspace(app.pb.rt.em(), { name: opts.name ?? opts.slug, slug: opts.slug, ownerName: 'Ada', ownerEmail: `ada@${opts.slug}.example` });
  const em = app.pb.rt.em();
  const conn = em.create(Connection, {
    workspace: ws.workspace.id,
    providerSlug: opts.provider,
    displayName: opts.displayName,
    authKind: opts.credentials.type,
    credentials: app.pb.rt.vault.encrypt(opts.credentials),
    ...(opts.metadata ? { metadata: opts.metadata } : {}),
  });
  await em.flush();
  return { workspaceId: ws.workspace.id, token: ws.token, connectionId: conn.id };
}
