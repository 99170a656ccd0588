import { Member } from '../../../entities/member.ts';
import { defineRoute } from '../../route.ts';
import { afterCursor, page, pageOf, pageQuery } from '../../schemas.ts';
import { memberSchema, toMember } from './schemas.ts';

export default defineRoute({
  method: 'get',
  path: '/members',
  operationId: 'listMembers',
  summary: 'Members of the workspace, newest first',
  tag: 'Members',
  permission: 'members.read',
  query: pageQuery,
  responses: { 200: { description: 'A page of members', schema: page(memberSchema) } },
  async handler({ em, auth, query }) {
    const rows = await em.find(
      Member,
      { workspace: auth.workspaceId, ...afterCursor(query.cursor) },
      { orderBy: { createdAt: 'desc', id: 'desc' }, limit: query.limit + 1 },
    );
    return { status: 200, body: pageOf(rows, query.limit, toMember) };
  },
});
