import { createHook } from '../../../hooks/hooks.ts';
import { defineRoute } from '../../route.ts';
import { createHookBody, hookWithUrlSchema } from './schemas.ts';

export default defineRoute({
  method: 'post',
  path: '/hooks',
  operationId: 'createHook',
  summary: 'Create a custom inbound hook (the answer shows its URL, and a generated secret, this once)',
  description:
    'Any service can then `POST` JSON (at most 1 MB) to the `url`. With a secret, bodies must carry Standard Webhooks headers (`webhook-id`, `webhook-timestamp` within 5 minutes, `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`); unsigned or wrongly signed bodies get 401 and are not stored. A repeated `webhook-id` is stored once. Received bodies are listed by `GET /api/v1/hooks/{id}/messages` and posted to chat channels subscribed with `alerts here hooks`.',
  tag: 'Hooks',
  permission: 'hooks.manage',
  body: createHookBody,
  errors: ['conflict'],
  responses: { 201: { description: 'Created; `url` (and a generated `secret`) are shown only here', schema: hookWithUrlSchema } },
  async handler({ rt, auth, body }) {
    return { status: 201, body: await createHook(rt, { workspaceId: auth.workspaceId, member: auth.member }, body) };
  },
});
