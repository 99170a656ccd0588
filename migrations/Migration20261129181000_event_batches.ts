import { Migration } from '@mikro-orm/migrations';

/**
 * Event deliveries become one row per (transaction, subscriber) instead of one per event, and
 * events record their catalog version. Also renames the event data fields that became a public
 * contract (outbound webhooks) so stored events match the catalog.
 */
export class Migration20261129181000_event_batches extends Migration {

  override name = 'Migration20261129181000_event_batches';

  override up(): void | Promise<void> {
    // Old per-event rows cannot say whether a whole transaction was delivered. Completed
    // dispatches never run again, so dropping them only affects dispatches still waiting for a
    // retry: those re-deliver their transaction (at least once, never lost).
    this.addSql(`delete from "event_deliveries";`);
    this.addSql(`alter table "event_deliveries" drop constraint "event_deliveries_event_id_foreign";`);

    this.addSql(`alter table "event_deliveries" drop constraint "event_deliveries_pkey";`);
    this.addSql(`alter table "event_deliveries" drop column "event_id";`);
    this.addSql(`alter table "event_deliveries" add "txid" bigint not null, add "event_count" int not null;`);
    this.addSql(`create index "event_deliveries_delivered_at_index" on "event_deliveries" ("delivered_at");`);
    this.addSql(`alter table "event_deliveries" add primary key ("txid", "subscriber");`);

    this.addSql(`alter table "domain_events" add "version" int not null default 1;`);

    // Public field names (see src/events/catalog/connection.ts).
    this.addSql(`update "domain_events" set "data" = ("data" - 'previousName') || jsonb_build_object('previousDisplayName', "data"->'previousName') where "type" = 'connection_renamed' and "data"->'previousName' is not null;`);
    this.addSql(`update "domain_events" set "data" = ("data" - 'early') || jsonb_build_object('resumedEarly', coalesce("data"->'early', 'false'::jsonb)) where "type" = 'connection_resumed' and "data"->'resumedEarly' is null;`);
    this.addSql(`update "domain_events" set "data" = ("data" - 'reason') || jsonb_build_object('code', "data"->'reason') where "type" = 'connection_authorization_failed' and "data"->'reason' is not null;`);
    this.addSql(`update "domain_events" set "snapshot" = "snapshot" || jsonb_build_object('id', "entity_id") where "type" = 'connection_authorization_failed' and "snapshot"->'id' is null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`update "domain_events" set "data" = ("data" - 'previousDisplayName') || jsonb_build_object('previousName', "data"->'previousDisplayName') where "type" = 'connection_renamed' and "data"->'previousDisplayName' is not null;`);
    this.addSql(`update "domain_events" set "data" = ("data" - 'resumedEarly') || jsonb_build_object('early', "data"->'resumedEarly') where "type" = 'connection_resumed' and "data"->'resumedEarly' is not null;`);
    this.addSql(`update "domain_events" set "data" = ("data" - 'code') || jsonb_build_object('reason', "data"->'code') where "type" = 'connection_authorization_failed' and "data"->'code' is not null;`);
    this.addSql(`alter table "domain_events" drop column "version";`);

    this.addSql(`delete from "event_deliveries";`);
    this.addSql(`drop index "event_deliveries_delivered_at_index";`);
    this.addSql(`alter table "event_deliveries" drop constraint "event_deliveries_pkey";`);
    this.addSql(`alter table "event_deliveries" drop column "txid", drop column "event_count";`);
    this.addSql(`alter table "event_deliveries" add "event_id" bigint not null;`);
    this.addSql(`alter table "event_deliveries" add constraint "event_deliveries_event_id_foreign" foreign key ("event_id") references "domain_events" ("id") on delete cascade;`);
    this.addSql(`alter table "event_deliveries" add primary key ("event_id", "subscriber");`);
  }

}
