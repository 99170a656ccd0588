import { subscribeZapierHook } from '../../../zapier/hooks.ts';
import { defineRoute } from '../../route.ts';
import { subscribeBody, zapierHookSchema } from './schemas.ts';

export default defineRoute({
  method: 'post',
  path: '/zapier/hooks',
  operationId: 'subscribeZapierHook',
  summary: "Subscribe a Zap's hook URL to one event type (Zapier's REST hook `performSubscribe`)",
  description:
    "Creates an outbound webhook endpoint owned by Zapier (`source: \"zapier\"`, listed by GET /api/v1/webhooks and the `webhooks` chat command) that receives the event type's signed deliveries at `hookUrl`. The hook URL passes the same checks as any webhook URL. Zapier keeps the answer's `id` to unsubscribe. When the hook URL answers 410 Gone, the endpoint is removed (not disabled). Needs an Admin's or Owner's token.",
  tag: 'Zapier',
  permission: 'webhooks.manage',
  body: subscribeBody,
  responses: { 201: { description: 'Subscribed', schema: zapierHookSchema } },
  async handler({ rt, auth, body }) {
    return { status: 201, body: await subscribeZapierHook(rt, { workspaceId: auth.workspaceId, member: auth.member }, body) };
  },
});
