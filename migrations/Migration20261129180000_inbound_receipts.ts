import { Migration } from '@mikro-orm/migrations';

/** Tables whose new rows cannot change a cached entry (see up()). */
const INSERT_SAFE = ['chat_identities', 'members'];
const CACHED_TABLES = ['chat_teams', 'chat_identities', 'members', 'workspaces'];

export class Migration20261129180000_inbound_receipts extends Migration {

  override name = 'Migration20261129180000_inbound_receipts';

  override up(): void | Promise<void> {
    this.addSql(`create table "chat_channel_paces" ("channel_key" varchar(255) not null, "last_post_at" timestamptz not null, primary key ("channel_key"));`);

    this.addSql(`create table "inbound_receipts" ("source" varchar(255) not null, "scope" varchar(255) not null, "delivery_id" varchar(255) not null, "kind" varchar(255) null, "payload_hash" varchar(255) null, "received_at" timestamptz not null, "processed_at" timestamptz null, primary key ("source", "scope", "delivery_id"));`);
    this.addSql(`create index "inbound_receipts_received_at_index" on "inbound_receipts" ("received_at");`);

    // Slack event ids already seen stay seen: a retry arriving during the upgrade is still ignored.
    this.addSql(`insert into "inbound_receipts" ("source", "scope", "delivery_id", "kind", "received_at", "processed_at") select 'slack:event', 'app', "event_id", "event_type", "received_at", "received_at" from "slack_event_receipts";`);
    this.addSql(`drop table if exists "slack_event_receipts" cascade;`);

    // The chat core caches who a chat user is (src/chat/resolve-cache.ts). Any change to the rows
    // it reads bumps a version each command checks (a sequence: no lock, no row contention) and
    // tells every listening process after commit.
    this.addSql(`create sequence "patchbay_chat_version";`);
    this.addSql(`create or replace function "patchbay_chat_changed"() returns trigger language plpgsql as $$ begin perform nextval('patchbay_chat_version'); perform pg_notify('patchbay_chat_changed', tg_table_name); return null; end $$;`);
    for (const table of CACHED_TABLES) {
      // The cache keeps members and identities it found, never their absence: a new member or
      // identity (every chat user's first contact) cannot make an entry stale, so inserts there
      // do not clear it. Teams are cached unlinked too, so any change to them counts.
      const ops = INSERT_SAFE.includes(table) ? 'update or delete or truncate' : 'insert or update or delete or truncate';
      this.addSql(`create trigger "${table}_chat_changed" after ${ops} on "${table}" for each statement execute function "patchbay_chat_changed"();`);
    }
  }

  override down(): void | Promise<void> {
    for (const table of CACHED_TABLES) this.addSql(`drop trigger if exists "${table}_chat_changed" on "${table}";`);
    this.addSql(`drop function if exists "patchbay_chat_changed"();`);
    this.addSql(`drop sequence if exists "patchbay_chat_version";`);
    this.addSql(`create table "slack_event_receipts" ("event_id" varchar(255) not null, "event_type" varchar(255) not null, "received_at" timestamptz(6) not null, "team_id" varchar(255) null, primary key ("event_id"));`);
    this.addSql(`create index "slack_event_receipts_received_at_index" on "slack_event_receipts" ("received_at");`);

    this.addSql(`drop table if exists "chat_channel_paces" cascade;`);
    this.addSql(`drop table if exists "inbound_receipts" cascade;`);
  }

}
