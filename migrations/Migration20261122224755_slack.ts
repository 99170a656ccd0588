import { Migration } from '@mikro-orm/migrations';

export class Migration20261122224755_slack extends Migration {

  override name = 'Migration20261122224755_slack';

  override up(): void | Promise<void> {
    this.addSql(`create table "slack_event_receipts" ("event_id" varchar(255) not null, "team_id" varchar(255) null, "event_type" varchar(255) not null, "received_at" timestamptz not null, primary key ("event_id"));`);
    this.addSql(`create index "slack_event_receipts_received_at_index" on "slack_event_receipts" ("received_at");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "slack_event_receipts" cascade;`);
  }

}
