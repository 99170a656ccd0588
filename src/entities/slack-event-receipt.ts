import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';

/**
 * One Slack Events API delivery, by `event_id`: Slack retries an event it believes was not
 * received, and the Slack app (bots/slack/events.ts) handles each id once. Pruned after a day
 * (src/jobs/retention.ts); Slack stops retrying within the hour.
 */
export const SlackEventReceipt = defineEntity({
  name: 'SlackEventReceipt',
  tableName: 'slack_event_receipts',
  indexes: [{ properties: ['receivedAt'] }],
  properties: {
    eventId: p.string().primary(),
    teamId: p.string().nullable(),
    eventType: p.string(),
    receivedAt: p.datetime().onCreate(() => new Date()),
  },
});
export type ISlackEventReceipt = InferEntity<typeof SlackEventReceipt>;
