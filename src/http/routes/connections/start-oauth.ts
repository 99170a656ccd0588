import { startAuthorization } from '../../../connections/oauth-flow.ts';
import { defineRoute } from '../../route.ts';
import { EX } from '../../examples.ts';
import { z } from '../../schemas.ts';
import { displayNameSchema, overrideUrlSchema, providerSlugSchema } from './schemas.ts';

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
    provider: providerSlugSchema,
    connectionId: z.uuid().optional().openapi({ example: EX.connectionId, description: 'Re-authorize this connection in place (same id, history kept)' }),
    displayName: displayNameSchema.optional(),
    urls: z
      .strictObject({
        authorizeUrl: overrideUrlSchema().optional().openapi({ example: 'https://test.salesforce.com/services/oauth2/authorize' }),
        tokenUrl: overrideUrlSchema().optional().openapi({ example: 'https://test.salesforce.com/services/oauth2/token' }),
        revokeUrl: overrideUrlSchema().optional().openapi({ example: 'https://test.salesforce.com/services/oauth2/revoke' }),
      })
      .optional()
      .openapi({
        description:
          "Per-connection OAuth URLs (a Salesforce sandbox at test.salesforce.com or a My Domain login host), only for providers whose definition accepts them for OAuth (see each provider's page): on the hosts and schemes it allows, without query or fragment, and never an internal address. The token exchange uses them, and the connection keeps them for refresh and revoke. On a reconnect, omitted means the connection's own.",
      }),
  }),
  errors: ['not_found', 'conflict', 'invalid_transition', 'provider_not_configured'],
  responses: {
    201: {
      description: 'Authorization started',
      schema: z.object({
        authorizeUrl: z.url().openapi({
          example: 'https://linear.app/oauth/authorize?client_id=3f1c9a7e5b2d&redirect_uri=https%3A%2F%2Fpatchbay.example.com%2Foauth%2Fcallback&response_type=code&scope=read%2Cwrite&state=Qm9yZWFsaXM.x7Kp2',
        }),
        expiresAt: z.iso.datetime().openapi({ example: EX.later }),
      }),
    },
  },
  async handler({ rt, auth, body }) {
    const started = await startAuthorization(rt, { workspaceId: auth.workspaceId, member: auth.member }, body);
    return { status: 201, body: { authorizeUrl: started.authorizeUrl, expiresAt: started.expiresAt.toISOString() } };
  },
});
