/** Trello's connector: key/token query auth, GET /1/members/me test, DELETE /1/tokens/{token} revoke. */
import { z } from 'zod';
import { fieldCredentials } from '../_shared/connector.ts';
import type { ConnectorSpec } from '../types.ts';

/**
 * GET /1/members/me → the member the token belongs to.
 * https://developer.atlassian.com/cloud/trello/rest/api-group-members/#api-members-id-get
 */
export const memberSchema = z.object({ id: z.string(), username: z.string(), fullName: z.string().nullish() });

export const connector: ConnectorSpec<typeof memberSchema> = {
  test: {
    path: '/1/members/me',
    query: { fields: 'id,username,fullName' },
    response: memberSchema,
    account: (m) => ({ id: m.id, name: m.fullName ? `${m.fullName} (@${m.username})` : m.username, extra: { username: m.username } }),
  },

  /** DELETE /1/tokens/{token} (authenticated with the same key and token). */
  async revoke(ctx) {
    const { token } = fieldCredentials(ctx, ['apiKey', 'token']);
    const res = await ctx.http.request({ method: 'DELETE', url: `/1/tokens/${encodeURIComponent(token!)}`, allowStatuses: [401, 404] });
    if (res.status !== 200) ctx.logger.info({ status: res.status }, 'Trello token was already invalid');
  },

  applyAuth(target, credentials) {
    if (credentials.type !== 'api_key') return false;
    if (credentials.fields.apiKey) target.url.searchParams.set('key', credentials.fields.apiKey);
    if (credentials.fields.token) target.url.searchParams.set('token', credentials.fields.token);
  },
};
