import { startAuthorization } from '../../../connections/oauth-flow.ts';
import { defineRoute } from '../../route.ts';
import { z } from '../../schemas.ts';
import { displayNameSchema } from './schemas.ts';

export default defineRoute({
  method: 'post',
  path: '/connections/oauth',
  operationId: 'startOAuthConnection',
  summary: 'Start connecting (or reconnecting) an OAuth provider: returns the authorize URL',
  description:
    'Open `authorizeUrl` in a browser. Its `state` is signed, single-use, expires in 10 minutes and is bound to this workspace, this member, the provider and the connection being reconnected. The connection is created when the provider redirects to `/oauth/callback`.',
  tag: 'Connections',
  permission: 'connections.connect',
  body: z.strictObject({
    provider: z.string().min(1).max(64),
    connectionId: z.uuid().optional().openapi({ description: 'Re-authorize this connection in place (same id, history kept)' }),
    displayName: displayNameSchema.optional(),
  }),
  responses: { 201: { description: 'Authorization started', schema: z.object({ authorizeUrl: z.url(), expiresAt: z.iso.datetime() }) } },
  async handler({ rt, auth, body }) {
    const started = await startAuthorization(rt, { workspaceId: auth.workspaceId, member: auth.member }, body);
    return { status: 201, body: { authorizeUrl: started.authorizeUrl, expiresAt: started.expiresAt.toISOString() } };
  },
});
