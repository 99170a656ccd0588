import { ConnectionService } from '../../../connections/service.ts';
import { defineRoute } from '../../route.ts';
import { z } from '../../schemas.ts';
import { accountSchema, connectionResult, credentialFieldsSchema, displayNameSchema, overrideUrlSchema, providerSlugSchema } from './schemas.ts';

export default defineRoute({
  method: 'post',
  path: '/connections',
  operationId: 'createConnection',
  summary: 'Connect a provider that uses typed credentials (API key, Basic), or an inbound one (Zapier)',
  description:
    'The credentials are validated and tested against the provider before anything is saved. OAuth providers use `POST /connections/oauth`. An inbound provider (`zapier`: it calls Patchbay with a Patchbay API token) takes no `credentials`; its connection\'s test reports what it subscribed to.',
  tag: 'Connections',
  permission: 'connections.connect',
  body: z.strictObject({
    provider: providerSlugSchema,
    displayName: displayNameSchema.optional(),
    // Required, except for an inbound provider (Zapier): it holds a Patchbay token, not the reverse.
    credentials: credentialFieldsSchema.optional(),
    urls: z
      .strictObject({ apiBaseUrl: overrideUrlSchema().optional().openapi({ example: 'https://api.eu1.twilio.com' }) })
      .optional()
      .openapi({
        description:
          "Per-connection API base URL, only for providers whose definition accepts one (see each provider's page): on the hosts and schemes it allows, without query or fragment, and never an internal address.",
      }),
  }),
  errors: ['not_found', 'conflict', 'provider_not_configured', 'provider_auth_failed', 'rate_limited', 'provider_error'],
  responses: { 201: { description: 'Connected', schema: connectionResult({ account: accountSchema }) } },
  async handler({ rt, auth, body }) {
    const { connection, account } = await new ConnectionService(rt).connectWithCredentials(
      { workspaceId: auth.workspaceId, member: auth.member },
      { provider: body.provider, displayName: body.displayName, fields: body.credentials, urls: body.urls },
    );
    return { status: 201, body: { connection, account: { id: account.accountId, name: account.accountName } } };
  },
});
