import { Migration } from '@mikro-orm/migrations';

export class Migration20261122220542_core_domain extends Migration {

  override name = 'Migration20261122220542_core_domain';

  override up(): void | Promise<void> {
    this.addSql(`create table "domain_events" ("id" bigserial primary key, "workspace_id" uuid not null, "type" varchar(255) not null, "entity_type" varchar(255) not null, "entity_id" varchar(255) not null, "snapshot" jsonb not null, "data" jsonb null, "trace_id" varchar(255) not null, "actor_member_id" uuid null, "via" text not null, "txid" bigint not null, "created_at" timestamptz not null);`);
    this.addSql(`create index "domain_events_workspace_id_id_index" on "domain_events" ("workspace_id", "id");`);
    this.addSql(`create index "domain_events_txid_index" on "domain_events" ("txid");`);

    this.addSql(`create table "event_deliveries" ("event_id" bigint not null, "subscriber" varchar(255) not null, "delivered_at" timestamptz not null, primary key ("event_id", "subscriber"));`);

    this.addSql(`create table "connections" ("id" uuid not null, "workspace_id" uuid not null, "provider_slug" varchar(255) not null, "display_name" varchar(255) not null, "status" text not null default 'connected', "status_reason" text null, "paused_by" text null, "paused_until" timestamptz null, "auth_kind" text not null, "credentials" text null, "token_expires_at" timestamptz null, "metadata" jsonb not null, "created_by_id" uuid null, "last_sync_at" timestamptz null, "last_sync_count" int null, "consecutive_failures" int not null default 0, "disconnected_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "connections_workspace_id_status_index" on "connections" ("workspace_id", "status");`);

    this.addSql(`create table "connection_logs" ("id" bigserial primary key, "workspace_id" uuid not null, "connection_id" uuid not null, "level" text not null, "kind" varchar(255) not null, "message" text not null, "data" jsonb null, "correlation_id" varchar(255) not null, "created_at" timestamptz not null);`);
    this.addSql(`create index "connection_logs_connection_id_id_index" on "connection_logs" ("connection_id", "id");`);

    this.addSql(`create table "audit_logs" ("id" bigserial primary key, "workspace_id" uuid not null, "actor_member_id" uuid null, "actor_external_id" varchar(255) null, "via" text not null, "action" varchar(255) not null, "target_type" varchar(255) not null, "target_id" varchar(255) null, "outcome" text not null, "details" jsonb null, "correlation_id" varchar(255) not null, "created_at" timestamptz not null);`);
    this.addSql(`create index "audit_logs_workspace_id_id_index" on "audit_logs" ("workspace_id", "id");`);

    this.addSql(`alter table "domain_events" add constraint "domain_events_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on delete cascade;`);
    this.addSql(`alter table "domain_events" add constraint "domain_events_via_check" check ("via" in ('api', 'cli', 'slack', 'discord', 'teams', 'sync', 'webhook', 'system'));`);

    this.addSql(`alter table "event_deliveries" add constraint "event_deliveries_event_id_foreign" foreign key ("event_id") references "domain_events" ("id") on delete cascade;`);

    this.addSql(`alter table "connections" add constraint "connections_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on delete cascade;`);
    this.addSql(`alter table "connections" add constraint "connections_created_by_id_foreign" foreign key ("created_by_id") references "members" ("id") on delete set null;`);
    this.addSql(`alter table "connections" add constraint "connections_status_check" check ("status" in ('connected', 'paused', 'errored', 'disconnected'));`);
    this.addSql(`alter table "connections" add constraint "connections_paused_by_check" check ("paused_by" in ('member', 'rate_limit'));`);
    this.addSql(`alter table "connections" add constraint "connections_auth_kind_check" check ("auth_kind" in ('oauth2', 'api_key', 'basic'));`);

    this.addSql(`alter table "connection_logs" add constraint "connection_logs_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on delete cascade;`);
    this.addSql(`alter table "connection_logs" add constraint "connection_logs_connection_id_foreign" foreign key ("connection_id") references "connections" ("id") on delete cascade;`);
    this.addSql(`alter table "connection_logs" add constraint "connection_logs_level_check" check ("level" in ('info', 'warn', 'error'));`);

    this.addSql(`alter table "audit_logs" add constraint "audit_logs_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on delete cascade;`);
    this.addSql(`alter table "audit_logs" add constraint "audit_logs_via_check" check ("via" in ('api', 'cli', 'slack', 'discord', 'teams', 'sync', 'webhook', 'system'));`);
    this.addSql(`alter table "audit_logs" add constraint "audit_logs_outcome_check" check ("outcome" in ('success', 'refused', 'failed'));`);

    // Display names are unique among a workspace's live connections, case-insensitively;
    // a disconnected connection keeps its name in history without blocking a new one.
    this.addSql(`create unique index "connections_workspace_live_name_unique" on "connections" ("workspace_id", lower("display_name")) where "status" <> 'disconnected';`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "event_deliveries" drop constraint "event_deliveries_event_id_foreign";`);
    this.addSql(`alter table "connection_logs" drop constraint "connection_logs_connection_id_foreign";`);

    this.addSql(`drop table if exists "domain_events" cascade;`);
    this.addSql(`drop table if exists "event_deliveries" cascade;`);
    this.addSql(`drop table if exists "connections" cascade;`);
    this.addSql(`drop table if exists "connection_logs" cascade;`);
    this.addSql(`drop table if exists "audit_logs" cascade;`);
  }

}
