import { Migration } from '@mikro-orm/migrations';

/**
 * The sync engine's tables: rules (with their pull and push positions), links between local and
 * remote records (with the last synced values), runs, the trigger-fed change log the push reads,
 * and monotonic per-provider totals for /metrics. Work records gain `removed_remotely_at`.
 */
export class Migration20261129200000_sync extends Migration {

  override name = 'Migration20261129200000_sync';

  override up(): void | Promise<void> {
    this.addSql(`create table "sync_totals" ("provider_slug" varchar(255) not null, "metric" varchar(255) not null, "value" bigint not null default '0', primary key ("provider_slug", "metric"));`);

    this.addSql(`create table "work_changes" ("seq" bigserial primary key, "workspace_id" uuid not null, "object" varchar(255) not null, "record_id" uuid not null, "xid" xid8 not null default pg_current_xact_id(), "origin_connection_id" uuid null, "changed_at" timestamptz not null default now());`);
    this.addSql(`create index "work_changes_workspace_id_object_xid_seq_index" on "work_changes" ("workspace_id", "object", "xid", "seq");`);
    this.addSql(`create index "work_changes_changed_at_index" on "work_changes" ("changed_at");`);

    this.addSql(`create table "sync_rules" ("id" uuid not null, "workspace_id" uuid not null, "connection_id" uuid not null, "local_object" text not null, "remote_object" varchar(255) not null, "direction" text not null, "scope" jsonb not null, "frequency" text not null default 'interval', "interval_seconds" int not null default 300, "delete_policy" text not null default 'mark', "mapping" jsonb not null, "enabled" boolean not null default true, "pull_cursor" jsonb null, "initial_import_at" timestamptz null, "last_full_pull_at" timestamptz null, "push_cursor" jsonb null, "consecutive_failures" int not null default 0, "last_run_at" timestamptz null, "next_run_at" timestamptz null, "created_by_id" uuid null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "sync_rules_connection_id_index" on "sync_rules" ("connection_id");`);
    this.addSql(`create index "sync_rules_next_run_at_index" on "sync_rules" ("next_run_at");`);

    this.addSql(`create table "sync_runs" ("id" uuid not null, "workspace_id" uuid not null, "connection_id" uuid not null, "rule_id" uuid null, "provider_slug" varchar(255) not null, "local_object" varchar(255) not null, "direction" varchar(255) not null, "trigger" text not null, "mode" varchar(255) not null default 'incremental', "status" text not null default 'queued', "phase" text not null default 'pull', "pulled" int not null default 0, "pushed" int not null default 0, "merged" int not null default 0, "linked" int not null default 0, "conflicts" int not null default 0, "errors" int not null default 0, "deleted" int not null default 0, "pages" int not null default 0, "jobs" int not null default 0, "record_errors" jsonb not null, "conflict_details" jsonb not null, "warnings" jsonb not null, "error_code" varchar(255) null, "error_message" text null, "correlation_id" varchar(255) not null, "requested_by_id" uuid null, "reporter" jsonb null, "created_at" timestamptz not null, "started_at" timestamptz null, "finished_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "sync_runs_connection_id_started_at_index" on "sync_runs" ("connection_id", "started_at");`);
    this.addSql(`create index "sync_runs_rule_id_status_index" on "sync_runs" ("rule_id", "status");`);

    this.addSql(`create table "sync_links" ("rule_id" uuid not null, "local_id" uuid not null, "remote_id" varchar(255) null, "intent_key" varchar(255) null, "snapshot" jsonb not null, "remote_updated_at" timestamptz null, "seen_run_id" uuid null, "remote_deleted_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("rule_id", "local_id"));`);
    this.addSql(`alter table "sync_links" add constraint "sync_links_rule_id_remote_id_unique" unique ("rule_id", "remote_id");`);

    this.addSql(`alter table "tasks" add "removed_remotely_at" timestamptz null;`);

    this.addSql(`alter table "time_entries" add "removed_remotely_at" timestamptz null;`);

    this.addSql(`alter table "contacts" add "removed_remotely_at" timestamptz null;`);

    this.addSql(`alter table "calendar_events" add "removed_remotely_at" timestamptz null;`);

    this.addSql(`alter table "sync_rules" add constraint "sync_rules_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on delete cascade;`);
    this.addSql(`alter table "sync_rules" add constraint "sync_rules_connection_id_foreign" foreign key ("connection_id") references "connections" ("id") on delete cascade;`);
    this.addSql(`alter table "sync_rules" add constraint "sync_rules_created_by_id_foreign" foreign key ("created_by_id") references "members" ("id") on delete set null;`);
    this.addSql(`alter table "sync_rules" add constraint "sync_rules_local_object_check" check ("local_object" in ('tasks', 'contacts', 'calendar_events'));`);
    this.addSql(`alter table "sync_rules" add constraint "sync_rules_direction_check" check ("direction" in ('in', 'out', 'both'));`);
    this.addSql(`alter table "sync_rules" add constraint "sync_rules_frequency_check" check ("frequency" in ('realtime', 'interval'));`);
    this.addSql(`alter table "sync_rules" add constraint "sync_rules_delete_policy_check" check ("delete_policy" in ('mark', 'propagate', 'ignore'));`);

    this.addSql(`alter table "sync_runs" add constraint "sync_runs_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on delete cascade;`);
    this.addSql(`alter table "sync_runs" add constraint "sync_runs_connection_id_foreign" foreign key ("connection_id") references "connections" ("id") on delete cascade;`);
    this.addSql(`alter table "sync_runs" add constraint "sync_runs_rule_id_foreign" foreign key ("rule_id") references "sync_rules" ("id") on delete set null;`);
    this.addSql(`alter table "sync_runs" add constraint "sync_runs_requested_by_id_foreign" foreign key ("requested_by_id") references "members" ("id") on delete set null;`);
    this.addSql(`alter table "sync_runs" add constraint "sync_runs_trigger_check" check ("trigger" in ('schedule', 'manual', 'webhook'));`);
    this.addSql(`alter table "sync_runs" add constraint "sync_runs_status_check" check ("status" in ('queued', 'running', 'succeeded', 'failed'));`);
    this.addSql(`alter table "sync_runs" add constraint "sync_runs_phase_check" check ("phase" in ('pull', 'sweep', 'push', 'done'));`);

    this.addSql(`alter table "sync_links" add constraint "sync_links_rule_id_foreign" foreign key ("rule_id") references "sync_rules" ("id") on delete cascade;`);

    // The push's change log: every insert and update of a synced table appends its rows, with the
    // writing transaction's id (column default) and the connection whose pull wrote it, if any
    // (set by the engine with set_config('patchbay.sync_connection', …, true)). Statement-level
    // with transition tables, so a page of 500 upserts costs one insert here, not 500.
    this.addSql(`create or replace function "work_changes_capture"() returns trigger language plpgsql as $$
      begin
        insert into "work_changes" ("workspace_id", "object", "record_id", "origin_connection_id")
        select n."workspace_id", TG_ARGV[0], n."id", nullif(current_setting('patchbay.sync_connection', true), '')::uuid from "new_rows" n;
        return null;
      end $$;`);
    for (const t of ['tasks', 'contacts', 'calendar_events']) {
      this.addSql(`create trigger "${t}_changes_insert" after insert on "${t}" referencing new table as "new_rows" for each statement execute function "work_changes_capture"('${t}');`);
      this.addSql(`create trigger "${t}_changes_update" after update on "${t}" referencing new table as "new_rows" for each statement execute function "work_changes_capture"('${t}');`);
    }
  }

  override down(): void | Promise<void> {
    for (const t of ['tasks', 'contacts', 'calendar_events']) {
      this.addSql(`drop trigger if exists "${t}_changes_insert" on "${t}";`);
      this.addSql(`drop trigger if exists "${t}_changes_update" on "${t}";`);
    }
    this.addSql(`drop function if exists "work_changes_capture"();`);
    this.addSql(`drop table if exists "sync_links" cascade;`);
    this.addSql(`drop table if exists "sync_runs" cascade;`);
    this.addSql(`drop table if exists "sync_rules" cascade;`);
    this.addSql(`drop table if exists "work_changes" cascade;`);
    this.addSql(`drop table if exists "sync_totals" cascade;`);
    for (const t of ['tasks', 'time_entries', 'contacts', 'calendar_events']) this.addSql(`alter table "${t}" drop column "removed_remotely_at";`);
  }

}
