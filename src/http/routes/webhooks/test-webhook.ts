import { testWebhook } from '../../../webhooks/deliveries.ts';
import { defineRoute } from '../../route.ts';
import { manualAttemptSchema, webhookParams } from './schemas.ts';

export default defineRoute({
  method: 'post',
  path: '/webhooks/:id/test',
  operationId: 'testWebhook',
  summary: 'Send a signed `test` message now and report what the endpoint answered',
  description:
    'One attempt, made while you wait (up to the delivery timeout), signed like every delivery so the receiver can check its verification. Whatever the endpoint’s status; it is logged in the delivery log and never retried. The answer is 200 whether or not the endpoint accepted it: see `ok` and `outcome`.',
  tag: 'Webhooks',
  permission: 'webhooks.manage',
  params: webhookParams,
  responses: { 200: { description: 'The outcome of the attempt', schema: manualAttemptSchema } },
  async handler({ rt, auth, params }) {
    return { status: 200, body: await testWebhook(rt, { workspaceId: auth.workspaceId, member: auth.member }, params.id) };
  },
});
