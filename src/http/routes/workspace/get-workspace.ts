import { Workspace } from '../../../entities/workspace.ts';
import { notFound } from '../../../errors.ts';
import { defineRoute } from '../../route.ts';
import { toWorkspace, workspaceSchema } from './schemas.ts';

export default defineRoute({
  method: 'get',
  path: '/workspace',
  operationId: 'getWorkspace',
  summary: 'The workspace the token belongs to',
  tag: 'Workspace',
  permission: 'workspace.read',
  responses: { 200: { description: 'The workspace', schema: workspaceSchema } },
  async handler({ em, auth }) {
    const ws = await em.findOne(Workspace, { id: auth.workspaceId });
    if (!ws) throw notFound('Workspace');
    return { status: 200, body: toWorkspace(ws) };
  },
});
