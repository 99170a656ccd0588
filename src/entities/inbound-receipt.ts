import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { Connection } from './connection.ts';

/**
 * One delivery that came in from outside (a Slack event or command, a Discord or Teams
 * activity, a provider webhook), recorded before it is handled and marked processed after, so
 * a platform's retries are handled once. Unique per source (`slack:event`, `webhook:github`, …),
 * scope (`app`, `team:<platform>:<id>`, `connection:<id>`) and the sender's delivery id.
 * Provider webhook receipts also name their connection and the object they concern: the
 * connection's apply job reads the unprocessed ones (src/inbound/apply.ts). Kept 3 days
 * (src/jobs/retention.ts): GitHub and Stripe let a sender redeliver for that long.
 */
export const InboundReceipt = defineEntity({
  name: 'InboundReceipt',
  tableName: 'inbound_receipts',
  indexes: [
    { properties: ['receivedAt'] },
    {
      name: 'inbound_receipts_pending_index',
      expression: `create index "inbound_receipts_pending_index" on "inbound_receipts" ("connection_id", "received_at") where "processed_at" is null and "connection_id" is not null`,
    },
  ],
  properties: {
    source: p.string().primary(),
    scope: p.string().primary(),
    deliveryId: p.string().primary(),
    /** What kind of delivery (event type, webhook topic); for troubleshooting. */
    kind: p.string().nullable(),
    /** SHA-256 of the payload: tells a genuine retry from a different payload reusing an id. */
    payloadHash: p.string().nullable(),
    /** The connection a provider webhook concerns; null for chat deliveries and custom hooks. */
    connection: () => p.manyToOne(Connection).mapToPk().nullable().deleteRule('cascade'),
    /** The provider object it changes (`tasks`, `contacts`, …); null when nothing is to apply (ignored). */
    object: p.text().nullable(),
    remoteId: p.text().nullable(),
    /** What the registration it came through watches (an Asana project, a calendar): only rules on it run. */
    resource: p.text().nullable(),
    receivedAt: p.datetime().onCreate(() => new Date()),
    processedAt: p.datetime().nullable(),
  },
});
export type IInboundReceipt = InferEntity<typeof InboundReceipt>;
