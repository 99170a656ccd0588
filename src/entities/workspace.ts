import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';

/** Workspace-level settings; new keys get defaults here so old rows keep working. */
export type WorkspaceSettings = {
  /** A chat platform's workspace owner/admin acts as at least Admin when true. */
  trustPlatformRoles: boolean;
};

export const DEFAULT_WORKSPACE_SETTINGS: WorkspaceSettings = { trustPlatformRoles: true };

/** A tenant: everything else belongs to exactly one workspace. */
export const Workspace = defineEntity({
  name: 'Workspace',
  tableName: 'workspaces',
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    name: p.string(),
    slug: p.string().unique(),
    settings: p.json<WorkspaceSettings>().onCreate(() => ({ ...DEFAULT_WORKSPACE_SETTINGS })),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export type IWorkspace = InferEntity<typeof Workspace>;
