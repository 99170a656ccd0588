import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { CHAT_CLIENTS } from '../chat/platforms.ts';

/**
 * Where a bot can reach a channel on its own (an alert, a late result), for platforms that need
 * more than a channel id to post: Microsoft Teams keeps the conversation reference (service URL,
 * conversation, bot) of every conversation the bot was added to or spoken to in.
 */
export const ChatConversation = defineEntity({
  name: 'ChatConversation',
  tableName: 'chat_conversations',
  uniques: [{ properties: ['platform', 'teamExternalId', 'channelId'] }],
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    platform: p.enum(CHAT_CLIENTS),
    /** The chat team (Teams tenant id) the conversation belongs to. */
    teamExternalId: p.string(),
    /** The conversation as alerts and replies name it (a Teams conversation id, without `;messageid=`). */
    channelId: p.string(),
    /** The platform's reference to reach it (not secret: ids and the service URL). */
    reference: p.json<Record<string, unknown>>(),
    /** False once the bot was removed from it (a 403 when posting, or the app uninstalled). */
    active: p.boolean().default(true),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export type IChatConversation = InferEntity<typeof ChatConversation>;
