import type { IWorkspace } from '../../../entities/workspace.ts';
import { z } from '../../schemas.ts';

export const workspaceSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    slug: z.string(),
    settings: z.object({ trustPlatformRoles: z.boolean() }),
    createdAt: z.iso.datetime(),
  })
  .openapi('Workspace');

export const toWorkspace = (w: IWorkspace) => ({
  id: w.id,
  name: w.name,
  slug: w.slug,
  settings: { trustPlatformRoles: w.settings.trustPlatformRoles ?? true },
  createdAt: w.createdAt.toISOString(),
});
