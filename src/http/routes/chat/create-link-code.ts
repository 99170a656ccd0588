import { createLinkCode, LINK_CODE_TTL_MINUTES } from '../../../chat/link-codes.ts';
import { defineRoute } from '../../route.ts';
import { linkCodeCreated, linkCodeSchema } from './schemas.ts';

const INSTRUCTIONS = 'In the chat team, run: /integrations link';

export default defineRoute({
  method: 'post',
  path: '/chat/link-codes',
  operationId: 'createChatLinkCode',
  summary: 'Create a single-use code that links a chat team (Slack, Discord, Teams) to this workspace (the code is in this response only)',
  description: `Owner only. The code expires after ${LINK_CODE_TTL_MINUTES} minutes and works once: run \`/integrations link <code>\` in the chat team. The person who runs it acts as the Owner who created the code.`,
  tag: 'Chat',
  permission: 'chat.link',
  responses: {
    201: {
      description: 'Created',
      schema: linkCodeSchema('ChatLinkCode', INSTRUCTIONS),
    },
  },
  async handler({ rt, auth }) {
    const { code, expiresAt } = await createLinkCode(rt, { workspaceId: auth.workspaceId, member: auth.member });
    return linkCodeCreated(code, expiresAt, INSTRUCTIONS);
  },
});
