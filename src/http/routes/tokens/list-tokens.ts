import { ApiToken } from '../../../entities/api-token.ts';
import { defineRoute } from '../../route.ts';
import { afterCursor, page, pageOf, pageQuery } from '../../schemas.ts';
import { tokenSchema, toToken } from './schemas.ts';

export default defineRoute({
  method: 'get',
  path: '/tokens',
  operationId: 'listTokens',
  summary: "The workspace's API tokens (never their secrets), newest first",
  tag: 'Tokens',
  permission: 'tokens.read',
  query: pageQuery,
  responses: { 200: { description: 'A page of tokens', schema: page(tokenSchema) } },
  async handler({ em, auth, query }) {
    const rows = await em.find(
      ApiToken,
      { workspace: auth.workspaceId, ...afterCursor(query.cursor) },
      { orderBy: { createdAt: 'desc', id: 'desc' }, limit: query.limit + 1 },
    );
    return { status: 200, body: pageOf(rows, query.limit, toToken) };
  },
});
