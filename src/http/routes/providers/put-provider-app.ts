import { writeAudit } from '../../../audit/audit.ts';
import { ProviderApp } from '../../../entities/provider-app.ts';
import { AppError } from '../../../errors.ts';
import { getProvider } from '../../../providers/registry.ts';
import { defineRoute } from '../../route.ts';
import { EX } from '../../examples.ts';
import { z } from '../../schemas.ts';

export const providerAppSchema = z
  .object({
    provider: z.string().openapi({ example: 'github' }),
    clientId: z.string().openapi({ example: 'Iv23liQm4aR7kT2pX9sB' }),
    configured: z.literal(true),
    updatedAt: z.iso.datetime().openapi({ example: EX.updatedAt }),
  })
  .openapi('ProviderApp');

export default defineRoute({
  method: 'put',
  path: '/providers/:slug/app',
  operationId: 'putProviderApp',
  summary: "Use the workspace's own OAuth app for a provider (wins over the instance's PROVIDER_<SLUG>_* app)",
  description: 'The client secret is stored encrypted and never returned.',
  tag: 'Providers',
  permission: 'provider_apps.manage',
  params: z.object({ slug: z.string().max(64).openapi({ example: 'github', description: 'Provider slug (see GET /api/v1/providers)' }) }),
  body: z.strictObject({
    clientId: z.string().trim().min(1).max(500).openapi({ example: 'Iv23liQm4aR7kT2pX9sB' }),
    clientSecret: z.string().trim().min(1).max(2000).openapi({ description: 'Stored encrypted; never returned', example: '4f9c2b7e1a8d6f3c0b5e9a2d7c4f1b8e6a3d0c9f' }),
  }),
  responses: { 200: { description: 'Saved', schema: providerAppSchema } },
  async handler({ rt, auth, params, body }) {
    const provider = getProvider(params.slug);
    if (!provider.definition.auth.oauth2) {
      throw new AppError('validation_failed', `${provider.definition.displayName} does not connect with OAuth, so it has no OAuth app to configure.`);
    }
    return await rt.em().transactional(async (tx) => {
      let app = await tx.findOne(ProviderApp, { workspace: auth.workspaceId, providerSlug: provider.definition.slug });
      const secret = rt.vault.encrypt(body.clientSecret);
      if (app) {
        app.clientId = body.clientId;
        app.clientSecret = secret;
      } else {
        app = tx.create(ProviderApp, { workspace: auth.workspaceId, providerSlug: provider.definition.slug, clientId: body.clientId, clientSecret: secret });
      }
      await tx.flush();
      await writeAudit(tx, { workspaceId: auth.workspaceId, action: 'provider_app.put', targetType: 'provider_app', targetId: provider.definition.slug, outcome: 'success', details: { clientId: body.clientId } });
      return { status: 200, body: { provider: provider.definition.slug, clientId: app.clientId, configured: true as const, updatedAt: app.updatedAt.toISOString() } };
    });
  },
});
