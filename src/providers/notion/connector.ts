/**
 * Notion's connector: `GET /v1/users/me` (the integration's bot user) as the test, `POST
 * /v1/oauth/revoke` on disconnect, and the `Notion-Version` header on every request.
 */
import { z } from 'zod';
import { metadataExtra, oauthCredentials, requireOAuthClient } from '../_shared/connector.ts';
import { basicAuthHeader } from '../_shared/http.ts';
import type { ConnectorSpec } from '../types.ts';
import { NOTION_VERSION } from './definition.ts';

export const NOTION_HEADERS = { 'Notion-Version': NOTION_VERSION } as const;

/**
 * GET /v1/users/me → the bot user (https://developers.notion.com/reference/get-self): `id`, `name`,
 * and `bot.workspace_name` (https://developers.notion.com/reference/user, "Bots"). The published
 * description marks no field required.
 */
export const meResponseSchema = z.object({
  object: z.string().optional(),
  id: z.string().optional(),
  name: z.string().nullish(),
  type: z.string().nullish(),
  bot: z.object({ workspace_name: z.string().nullish() }).loose().nullish(),
});

const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);

export const connector: ConnectorSpec<typeof meResponseSchema> = {
  test: {
    path: '/v1/users/me',
    response: meResponseSchema,
    account: (me, ctx) => {
      // The token response's workspace facts (kept in the credentials' extra), else the bot's.
      const extra = ctx.credentials.type === 'oauth2' ? (ctx.credentials.extra ?? {}) : {};
      const stored = metadataExtra(ctx);
      const workspaceName = str(extra.workspace_name) ?? me.bot?.workspace_name ?? str(stored.workspaceName);
      const workspaceId = str(extra.workspace_id) ?? str(stored.workspaceId);
      return {
        id: me.id,
        name: workspaceName || me.name,
        extra: { botId: me.id ?? null, ...(workspaceId ? { workspaceId } : {}), ...(workspaceName ? { workspaceName } : {}) },
      };
    },
  },

  /**
   * POST https://api.notion.com/v1/oauth/revoke with `{ token }` (JSON), the app's credentials as
   * HTTP Basic. https://developers.notion.com/reference/revoke-token
   */
  async revoke(ctx) {
    const client = requireOAuthClient(ctx);
    await ctx.http.request({
      method: 'POST',
      url: ctx.urls.revokeUrl ?? '/v1/oauth/revoke',
      skipAuth: true,
      idempotent: true,
      headers: { ...NOTION_HEADERS, authorization: basicAuthHeader(client.clientId, client.clientSecret) },
      body: { token: oauthCredentials(ctx).accessToken },
    });
  },

  /** Bearer as usual (the default), plus the pinned `Notion-Version` on every request. */
  applyAuth(target) {
    target.headers.set('notion-version', NOTION_VERSION);
    return false;
  },
};
