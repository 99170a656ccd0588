import { createLinkCode, LINK_CODE_TTL_MINUTES } from '../../../chat/link-codes.ts';
import { defineRoute } from '../../route.ts';
import { EX } from '../../examples.ts';
import { z } from '../../schemas.ts';

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
      schema: z
        .object({
          code: z.string().openapi({ example: 'PB-7KQ2-M9XD-4HTW' }),
          expiresAt: z.iso.datetime().openapi({ example: EX.later }),
          instructions: z.string().openapi({ example: 'In the chat team, run: /integrations link PB-7KQ2-M9XD-4HTW' }),
        })
        .openapi('ChatLinkCode'),
    },
  },
  async handler({ rt, auth }) {
    const { code, expiresAt } = await createLinkCode(rt, { workspaceId: auth.workspaceId, member: auth.member });
    return {
      status: 201,
      headers: { 'Cache-Control': 'no-store' },
      body: { code, expiresAt: expiresAt.toISOString(), instructions: `In the chat team, run: /integrations link ${code}` },
    };
  },
});
