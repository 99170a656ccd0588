import { Migration } from '@mikro-orm/migrations';

export class Migration20261122221758_chat extends Migration {

  override name = 'Migration20261122221758_chat';

  override up(): void | Promise<void> {
    this.addSql(`create table "chat_link_codes" ("id" uuid not null, "workspace_id" uuid not null, "code_hash" varchar(255) not null, "created_by_id" uuid not null, "created_at" timestamptz not null, "expires_at" timestamptz not null, "used_at" timestamptz null, "used_by" varchar(255) null, primary key ("id"));`);
    this.addSql(`alter table "chat_link_codes" add constraint "chat_link_codes_code_hash_unique" unique ("code_hash");`);

    this.addSql(`create table "chat_teams" ("id" uuid not null, "platform" text not null, "external_id" varchar(255) not null, "name" varchar(255) null, "workspace_id" uuid null, "linked_by_id" uuid null, "linked_at" timestamptz null, "active" boolean not null default true, "installation" jsonb null, "secrets" text null, "deactivated_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "chat_teams" add constraint "chat_teams_platform_external_id_unique" unique ("platform", "external_id");`);

    this.addSql(`create table "chat_identities" ("id" uuid not null, "workspace_id" uuid not null, "platform" text not null, "team_external_id" varchar(255) not null, "external_user_id" varchar(255) not null, "member_id" uuid not null, "email" varchar(255) null, "display_name" varchar(255) null, "platform_role" text null, "platform_role_fetched_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "chat_identities_member_id_index" on "chat_identities" ("member_id");`);
    this.addSql(`alter table "chat_identities" add constraint "chat_identities_workspace_id_platform_team_extern_9f93a_unique" unique ("workspace_id", "platform", "team_external_id", "external_user_id");`);

    this.addSql(`create table "alert_subscriptions" ("id" uuid not null, "workspace_id" uuid not null, "platform" text not null, "team_external_id" varchar(255) not null, "channel_id" varchar(255) not null, "kinds" jsonb not null, "connection_id" uuid null, "created_by_id" uuid null, "active" boolean not null default true, "deactivated_reason" text null, "deactivated_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "alert_subscriptions_workspace_id_active_index" on "alert_subscriptions" ("workspace_id", "active");`);
    this.addSql(`create unique index "alert_subscriptions_active_channel_unique" on "alert_subscriptions" ("workspace_id", "platform", "team_external_id", "channel_id", coalesce("connection_id"::text, '')) where "active";`);

    this.addSql(`create table "alert_posts" ("id" uuid not null, "subscription_id" uuid not null, "connection_id" uuid not null, "kind" text not null, "state" text not null default 'ok', "alert_event_id" bigint null, "message_ref" varchar(255) null, "attempts" int not null default 0, "last_error" text null, "last_attempt_at" timestamptz null, "posted_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "alert_posts" add constraint "alert_posts_subscription_id_connection_id_kind_unique" unique ("subscription_id", "connection_id", "kind");`);

    this.addSql(`alter table "chat_link_codes" add constraint "chat_link_codes_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on delete cascade;`);
    this.addSql(`alter table "chat_link_codes" add constraint "chat_link_codes_created_by_id_foreign" foreign key ("created_by_id") references "members" ("id") on delete cascade;`);

    this.addSql(`alter table "chat_teams" add constraint "chat_teams_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on delete cascade;`);
    this.addSql(`alter table "chat_teams" add constraint "chat_teams_linked_by_id_foreign" foreign key ("linked_by_id") references "members" ("id") on delete set null;`);
    this.addSql(`alter table "chat_teams" add constraint "chat_teams_platform_check" check ("platform" in ('slack', 'discord', 'teams', 'cli'));`);

    this.addSql(`alter table "chat_identities" add constraint "chat_identities_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on delete cascade;`);
    this.addSql(`alter table "chat_identities" add constraint "chat_identities_member_id_foreign" foreign key ("member_id") references "members" ("id") on delete cascade;`);
    this.addSql(`alter table "chat_identities" add constraint "chat_identities_platform_check" check ("platform" in ('slack', 'discord', 'teams', 'cli'));`);
    this.addSql(`alter table "chat_identities" add constraint "chat_identities_platform_role_check" check ("platform_role" in ('owner', 'admin', 'member'));`);

    this.addSql(`alter table "alert_subscriptions" add constraint "alert_subscriptions_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on delete cascade;`);
    this.addSql(`alter table "alert_subscriptions" add constraint "alert_subscriptions_connection_id_foreign" foreign key ("connection_id") references "connections" ("id") on delete cascade;`);
    this.addSql(`alter table "alert_subscriptions" add constraint "alert_subscriptions_created_by_id_foreign" foreign key ("created_by_id") references "members" ("id") on delete set null;`);
    this.addSql(`alter table "alert_subscriptions" add constraint "alert_subscriptions_platform_check" check ("platform" in ('slack', 'discord', 'teams', 'cli'));`);

    this.addSql(`alter table "alert_posts" add constraint "alert_posts_subscription_id_foreign" foreign key ("subscription_id") references "alert_subscriptions" ("id") on delete cascade;`);
    this.addSql(`alter table "alert_posts" add constraint "alert_posts_connection_id_foreign" foreign key ("connection_id") references "connections" ("id") on delete cascade;`);
    this.addSql(`alter table "alert_posts" add constraint "alert_posts_kind_check" check ("kind" in ('errors', 'pauses', 'conflicts', 'webhooks', 'hooks'));`);
    this.addSql(`alter table "alert_posts" add constraint "alert_posts_state_check" check ("state" in ('ok', 'errored', 'paused'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "alert_posts" drop constraint "alert_posts_subscription_id_foreign";`);

    this.addSql(`drop table if exists "chat_link_codes" cascade;`);
    this.addSql(`drop table if exists "chat_teams" cascade;`);
    this.addSql(`drop table if exists "chat_identities" cascade;`);
    this.addSql(`drop table if exists "alert_subscriptions" cascade;`);
    this.addSql(`drop table if exists "alert_posts" cascade;`);
  }

}
