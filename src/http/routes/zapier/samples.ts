import { zapierSamples } from '../../../zapier/hooks.ts';
import { defineRoute } from '../../route.ts';
import { samplesParams, zapierSamplesSchema } from './schemas.ts';

export default defineRoute({
  method: 'get',
  path: '/zapier/samples/:eventType',
  operationId: 'listZapierSamples',
  summary: "Sample payloads of one event type (Zapier's `performList`), in the delivered shape plus `id`",
  description:
    "The workspace's most recent events of the type (newest first, at most 3), each exactly as a delivery's body plus `id` (the event id); the catalog's example (`id: \"sample_<type>\"`) when there is none yet. Zapier maps a Zap's fields from these.",
  tag: 'Zapier',
  permission: 'events.read',
  params: samplesParams,
  responses: { 200: { description: 'Samples, newest first', schema: zapierSamplesSchema } },
  async handler({ rt, auth, params }) {
    return { status: 200, body: await zapierSamples(rt, { workspaceId: auth.workspaceId, member: auth.member }, params.eventType) };
  },
});
