/** Jira Cloud's connector: accessible-resources → cloudId, then /myself through the API gateway. */
import { z } from 'zod';
import { AppError } from '../../errors.ts';
import { metadataExtra } from '../_shared/connector.ts';
import { parseProviderResponse } from '../_shared/parse.ts';
import type { ConnectorSpec } from '../types.ts';

/**
 * GET https://api.atlassian.com/oauth/token/accessible-resources → the sites the token can reach.
 * https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/#3-1-get-the-cloudid-for-your-site
 */
export const accessibleResourcesSchema = z.array(
  z.object({ id: z.string(), url: z.string(), name: z.string(), scopes: z.array(z.string()).default([]), avatarUrl: z.string().optional() }),
);

/**
 * GET /ex/jira/{cloudId}/rest/api/3/myself → the current user; the description's `User` requires no
 * field, `accountId` included.
 * https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-myself/#api-rest-api-3-myself-get
 */
export const myselfSchema = z.object({
  accountId: z.string().optional(),
  displayName: z.string().nullish(),
  emailAddress: z.string().nullish(),
});

export const connector: ConnectorSpec = {
  async test(ctx) {
    const res = await ctx.http.request({ url: '/oauth/token/accessible-resources' });
    const sites = parseProviderResponse(ctx.provider, accessibleResourcesSchema, res.body, 'GET /oauth/token/accessible-resources');
    const known = metadataExtra(ctx).cloudId ?? ctx.metadata.cloudId;
    const site = sites.find((s) => s.id === known) ?? sites.find((s) => s.scopes.some((sc) => sc.includes('jira'))) ?? sites[0];
    if (!site) {
      throw new AppError('provider_auth_failed', 'Jira Cloud: this authorization gives access to no Jira site. Reconnect and pick a site.', {
        details: { provider: 'jira' },
      });
    }
    const me = await ctx.http.request({ url: `/ex/jira/${encodeURIComponent(site.id)}/rest/api/3/myself` });
    const user = parseProviderResponse(ctx.provider, myselfSchema, me.body, 'GET /rest/api/3/myself');
    if (!user.accountId) {
      throw new AppError('provider_error', 'Jira Cloud answered GET /rest/api/3/myself without an account id', { details: { provider: 'jira' } });
    }
    return {
      accountId: user.accountId,
      accountName: `${user.displayName || user.emailAddress || user.accountId} (${site.name})`,
      extra: { cloudId: site.id, siteUrl: site.url, siteName: site.name },
    };
  },
};
