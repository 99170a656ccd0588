import { oauthConfigured } from '../../../connections/oauth-apps.ts';
import { CATEGORIES, OBJECT_NAMES } from '../../../providers/types.ts';
import { listProviders } from '../../../providers/registry.ts';
import { requestedScopes } from '../../../providers/_shared/oauth.ts';
import { defineRoute } from '../../route.ts';
import { z } from '../../schemas.ts';

const providerSchema = z
  .object({
    slug: z.string(),
    displayName: z.string(),
    category: z.enum(CATEGORIES),
    docsUrl: z.url(),
    authModes: z.array(z.enum(['oauth2', 'api_key', 'basic'])),
    oauth: z
      .object({ configured: z.boolean(), app: z.enum(['workspace', 'instance']).nullable(), scopes: z.array(z.string()), pkce: z.boolean() })
      .nullable(),
    credentialFields: z.array(z.object({ name: z.string(), label: z.string(), secret: z.boolean(), optional: z.boolean(), help: z.string().nullable() })),
    objects: z.array(z.object({ name: z.enum(OBJECT_NAMES), direction: z.enum(['in', 'out', 'both']), scopes: z.array(z.string()) })),
    revokeOnDisconnect: z.boolean(),
    revokeNote: z.string().nullable(),
  })
  .openapi('Provider');

export default defineRoute({
  method: 'get',
  path: '/providers',
  operationId: 'listProviders',
  summary: 'The provider catalog: auth modes, whether an OAuth app is configured, objects, scopes',
  tag: 'Providers',
  permission: 'providers.read',
  query: z.object({ category: z.enum(CATEGORIES).optional() }),
  responses: { 200: { description: 'Providers, by name', schema: z.object({ data: z.array(providerSchema) }) } },
  async handler({ rt, em, auth, query }) {
    const data = [];
    for (const p of listProviders()) {
      const d = p.definition;
      if (query.category && d.category !== query.category) continue;
      const app = await oauthConfigured(rt, em, auth.workspaceId, p);
      data.push({
        slug: d.slug,
        displayName: d.displayName,
        category: d.category,
        docsUrl: d.docsUrl,
        authModes: [...(d.auth.oauth2 ? (['oauth2'] as const) : []), ...(d.auth.credentials ? [d.auth.credentials.kind] : [])],
        oauth: d.auth.oauth2 ? { configured: app !== null, app, scopes: requestedScopes(d), pkce: d.auth.oauth2.pkce } : null,
        credentialFields: (d.auth.credentials?.fields ?? []).map((f) => ({ name: f.name, label: f.label, secret: f.secret, optional: f.optional ?? false, help: f.help ?? null })),
        objects: d.objects,
        revokeOnDisconnect: Boolean(p.connector.revoke) && !d.revokeNote,
        revokeNote: d.revokeNote ?? null,
      });
    }
    data.sort((a, b) => a.displayName.localeCompare(b.displayName));
    return { status: 200, body: { data } };
  },
});
