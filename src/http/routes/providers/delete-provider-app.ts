import { writeAudit } from '../../../audit/audit.ts';
import { ProviderApp } from '../../../entities/provider-app.ts';
import { notFound } from '../../../errors.ts';
import { getProvider } from '../../../providers/registry.ts';
import { defineRoute } from '../../route.ts';
import { z } from '../../schemas.ts';

export default defineRoute({
  method: 'delete',
  path: '/providers/:slug/app',
  operationId: 'deleteProviderApp',
  summary: "Stop using the workspace's own OAuth app (the instance's app applies again)",
  tag: 'Providers',
  permission: 'provider_apps.manage',
  params: z.object({ slug: z.string().max(64).openapi({ example: 'github', description: 'Provider slug (see GET /api/v1/providers)' }) }),
  responses: { 204: { description: 'Removed' } },
  async handler({ rt, auth, params }) {
    const provider = getProvider(params.slug);
    await rt.em().transactional(async (tx) => {
      const app = await tx.findOne(ProviderApp, { workspace: auth.workspaceId, providerSlug: provider.definition.slug });
      if (!app) throw notFound(`${provider.definition.displayName} workspace OAuth app`);
      tx.remove(app);
      await tx.flush();
      await writeAudit(tx, { workspaceId: auth.workspaceId, action: 'provider_app.delete', targetType: 'provider_app', targetId: provider.definition.slug, outcome: 'success' });
    });
    return { status: 204 };
  },
});
