import { createPersonalLinkCode, LINK_CODE_TTL_MINUTES } from '../../../chat/link-codes.ts';
import { defineRoute } from '../../route.ts';
import { linkCodeCreated, linkCodeSchema } from './schemas.ts';

const INSTRUCTIONS = 'In a chat team linked to this workspace, run: /integrations link';

export default defineRoute({
  method: 'post',
  path: '/me/link-codes',
  operationId: 'createPersonalLinkCode',
  summary: 'Create a personal single-use code that makes a chat user act as you (the code is in this response only)',
  description: `Any member, for themselves. The code expires after ${LINK_CODE_TTL_MINUTES} minutes and works once: run \`/integrations link <code>\` in a chat team already linked to this workspace, and that chat user then acts as you, with your role. This is how Admins and Owners become themselves in chat: a matching email links a chat user to Member accounts only.`,
  tag: 'Chat',
  responses: {
    201: {
      description: 'Created',
      schema: linkCodeSchema('PersonalLinkCode', INSTRUCTIONS),
    },
  },
  async handler({ rt, auth }) {
    const { code, expiresAt } = await createPersonalLinkCode(rt, { workspaceId: auth.workspaceId, member: auth.member });
    return linkCodeCreated(code, expiresAt, INSTRUCTIONS);
  },
});
