import { oauthConfigured } from '../../../connections/oauth-apps.ts';
import { CATEGORIES } from '../../../providers/types.ts';
import { LOCAL_OBJECTS } from '../../../sync/types.ts';
import { getProvider, listProviders, providerCatalogEntry } from '../../../providers/registry.ts';
import { defineRoute } from '../../route.ts';
import { z } from '../../schemas.ts';

const providerSchema = z
  .object({
    slug: z.string(),
    displayName: z.string(),
    category: z.enum(CATEGORIES),
    docsUrl: z.url(),
    authModes: z.array(z.enum(['oauth2', 'api_key', 'basic'])),
    authDescription: z.string(),
    configured: z.boolean().openapi({ description: 'Whether a connection can be made now (credential fields, or an OAuth app for this workspace)' }),
    oauthConfigured: z.boolean().nullable(),
    oauthApp: z.enum(['workspace', 'instance']).nullable().openapi({ description: "Which OAuth app is used: the workspace's own, or the instance's PROVIDER_<SLUG>_* app" }),
    objects: z.array(
      z.object({
        name: z.string(),
        direction: z.enum(['in', 'out', 'both']),
        scopes: z.array(z.string()),
        sync: z.boolean().openapi({ description: 'Whether sync rules can sync this object (the provider has an adapter for it); objects without one are listed but nothing syncs them yet' }),
        localObject: z.enum(LOCAL_OBJECTS).nullable().openapi({ description: "Patchbay's object it syncs with; null when it does not sync" }),
      }),
    ),
    scopes: z.array(z.string()),
    credentialFields: z.array(
      z.object({ name: z.string(), label: z.string(), secret: z.boolean(), pattern: z.string().optional(), help: z.string().optional(), optional: z.boolean().optional() }),
    ),
    revokes: z.boolean(),
    revokeNote: z.string().nullable(),
  })
  // Linear's real catalog entry, as an instance with its OAuth app configured shows it.
  .openapi('Provider', { example: { ...providerCatalogEntry(getProvider('linear'), { raw: {} }), configured: true, oauthConfigured: true, oauthApp: 'instance' } });

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
      if (query.category && p.definition.category !== query.category) continue;
      const entry = providerCatalogEntry(p, rt.config);
      const oauthApp = await oauthConfigured(rt, em, auth.workspaceId, p);
      data.push({
        ...entry,
        oauthConfigured: entry.oauthConfigured === null ? null : oauthApp !== null,
        configured: entry.configured || oauthApp !== null,
        oauthApp,
      });
    }
    data.sort((a, b) => a.displayName.localeCompare(b.displayName));
    return { status: 200, body: { data } };
  },
});
