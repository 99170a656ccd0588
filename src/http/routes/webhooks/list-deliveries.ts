import { WEBHOOK_DELIVERY_STATUSES } from '../../../entities/webhook-delivery.ts';
import { listDeliveries } from '../../../webhooks/deliveries.ts';
import { defineRoute } from '../../route.ts';
import { idCursorQuery } from '../id-pagination.ts';
import { z } from '../../schemas.ts';
import { deliveryPageSchema, webhookParams } from './schemas.ts';

export default defineRoute({
  method: 'get',
  path: '/webhooks/:id/deliveries',
  operationId: 'listWebhookDeliveries',
  summary: "An endpoint's delivery log, newest first, each with its attempts",
  description:
    'Every event sent (or waiting) for this endpoint: status, the `webhook-id` it is signed with, and each attempt (time, HTTP status, duration, the first 1 KB of the answer, error). Filter with `status=pending` to see what a paused endpoint has kept.',
  tag: 'Webhooks',
  permission: 'webhooks.manage',
  params: webhookParams,
  query: idCursorQuery.extend({ status: z.enum(WEBHOOK_DELIVERY_STATUSES).optional().openapi({ description: 'Only deliveries in this status' }) }),
  responses: { 200: { description: 'A page of deliveries', schema: deliveryPageSchema } },
  async handler({ rt, auth, params, query }) {
    return { status: 200, body: await listDeliveries(rt, { workspaceId: auth.workspaceId, member: auth.member }, params.id, query) };
  },
});
