import { EVENT_TYPES } from '../../../events/catalog/index.ts';
import { describeWebhookEventType } from '../../../webhooks/payload.ts';
import { defineRoute } from '../../route.ts';
import { z } from '../../schemas.ts';
import { eventTypeSchema } from './schemas.ts';

const eventTypeList = z
  .object({ data: z.array(eventTypeSchema) })
  .openapi('WebhookEventTypeList', { example: { data: [describeWebhookEventType('task_added')] } });

export default defineRoute({
  method: 'get',
  path: '/webhooks/event-types',
  operationId: 'listWebhookEventTypes',
  summary: 'The event catalog: every type a webhook can receive, with the JSON Schema and an example of the body it is delivered as',
  description: 'Event types are a public contract: a type\'s `version` is bumped on any breaking change, and fields may be added at any time (receivers must not reject unknown fields).',
  tag: 'Webhooks',
  permission: 'webhooks.manage',
  responses: { 200: { description: 'The catalog, one entry per type', schema: eventTypeList } },
  async handler({ rt }) {
    return { status: 200, body: { data: EVENT_TYPES.map((t) => describeWebhookEventType(t, rt.config.PUBLIC_URL)) } };
  },
});
