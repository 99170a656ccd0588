import { unsubscribeZapierHook } from '../../../zapier/hooks.ts';
import { defineRoute } from '../../route.ts';
import { zapierHookParams } from './schemas.ts';

export default defineRoute({
  method: 'delete',
  path: '/zapier/hooks/:id',
  operationId: 'unsubscribeZapierHook',
  summary: "Unsubscribe a Zap (Zapier's REST hook `performUnsubscribe`): removes its endpoint",
  description:
    'Only endpoints Zapier subscribed (`source: "zapier"`) of the token\'s workspace. An unknown id (already removed: the Zap was turned off before, its hook URL answered 410 Gone, or an admin deleted it) is 404 `not_found`, with nothing changed.',
  tag: 'Zapier',
  permission: 'webhooks.manage',
  params: zapierHookParams,
  responses: { 204: { description: 'Unsubscribed: the endpoint and its pending deliveries are gone' } },
  async handler({ rt, auth, params }) {
    await unsubscribeZapierHook(rt, { workspaceId: auth.workspaceId, member: auth.member }, params.id);
    return { status: 204 };
  },
});
