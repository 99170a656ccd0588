import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';

/**
 * When the last post into a chat channel ended, by the database clock: every process posting
 * into the channel waits for its platform's pace from here (src/alerts/pace.ts).
 */
export const ChatChannelPace = defineEntity({
  name: 'ChatChannelPace',
  tableName: 'chat_channel_paces',
  properties: {
    /** `alerts:<platform>:<team>:<channel>`, the same key as the channel's job queue. */
    channelKey: p.string().primary(),
    lastPostAt: p.datetime(),
  },
});
export type IChatChannelPace = InferEntity<typeof ChatChannelPace>;
