import type { IWorkspace } from '../../../entities/workspace.ts';
import { EX } from '../../examples.ts';
import { z } from '../../schemas.ts';

export const workspaceSchema = z
  .object({
    id: z.uuid().openapi({ example: EX.workspaceId }),
    name: z.string().openapi({ example: 'Acme Engineering' }),
    slug: z.string().openapi({ example: 'acme-engineering' }),
    settings: z.object({ trustPlatformRoles: z.boolean() }),
    createdAt: z.iso.datetime().openapi({ example: EX.createdAt }),
  })
  .openapi('Workspace');

export const toWorkspace = (w: IWorkspace) => ({
  id: w.id,
  name: w.name,
  slug: w.slug,
  settings: { trustPlatformRoles: w.settings.trustPlatformRoles ?? true },
  createdAt: w.createdAt.toISOString(),
});
