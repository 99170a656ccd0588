import { writeAudit } from '../../../audit/audit.ts';
import { Workspace } from '../../../entities/workspace.ts';
import { notFound } from '../../../errors.ts';
import { defineRoute } from '../../route.ts';
import { z } from '../../schemas.ts';
import { toWorkspace, workspaceSchema } from './schemas.ts';

export default defineRoute({
  method: 'patch',
  path: '/workspace',
  operationId: 'updateWorkspace',
  summary: "Rename the workspace or change its settings (Owner only)",
  description: '`settings.trustPlatformRoles`: when true (the default), a chat platform’s workspace owner or admin acts as at least Admin in Patchbay. Owner is only ever granted explicitly.',
  tag: 'Workspace',
  permission: 'workspace.update',
  body: z
    .strictObject({
      name: z.string().trim().min(1).max(80).optional().openapi({ example: 'Acme Engineering' }),
      settings: z.strictObject({ trustPlatformRoles: z.boolean().optional() }).optional(),
    })
    .refine((b) => b.name !== undefined || b.settings !== undefined, { error: 'send name and/or settings' }),
  responses: { 200: { description: 'The updated workspace', schema: workspaceSchema } },
  async handler({ rt, auth, body }) {
    return await rt.em().transactional(async (tx) => {
      const ws = await tx.findOne(Workspace, { id: auth.workspaceId });
      if (!ws) throw notFound('Workspace');
      const before = { name: ws.name, settings: { ...ws.settings } };
      if (body.name !== undefined) ws.name = body.name;
      if (body.settings) ws.settings = { ...ws.settings, ...Object.fromEntries(Object.entries(body.settings).filter(([, v]) => v !== undefined)) };
      await tx.flush();
      await writeAudit(tx, { workspaceId: ws.id, action: 'workspace.update', targetType: 'workspace', targetId: ws.id, outcome: 'success', details: { before, after: { name: ws.name, settings: ws.settings } } });
      return { status: 200, body: toWorkspace(ws) };
    });
  },
});
