import { Migration } from '@mikro-orm/migrations';

export class Migration20261130000100_inbound_hooks extends Migration {

  override name = 'Migration20261130000100_inbound_hooks';

  override up(): void | Promise<void> {
    this.addSql(`create table "inbound_hooks" ("id" uuid not null, "workspace_id" uuid not null, "name" varchar(255) not null, "token_hash" varchar(255) not null, "token_prefix" varchar(255) not null, "secret" text null, "status" text not null default 'active', "received_count" bigint not null default '0', "last_received_at" timestamptz null, "created_by_id" uuid null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "inbound_hooks" add constraint "inbound_hooks_token_hash_unique" unique ("token_hash");`);
    this.addSql(`alter table "inbound_hooks" add constraint "inbound_hooks_workspace_id_name_unique" unique ("workspace_id", "name");`);

    this.addSql(`create table "inbound_hook_posts" ("hook_id" uuid not null, "channel_key" varchar(255) not null, "last_posted_at" timestamptz not null, "last_message_id" bigint not null, primary key ("hook_id", "channel_key"));`);

    this.addSql(`create table "inbound_hook_messages" ("id" bigserial primary key, "hook_id" uuid not null, "received_at" timestamptz not null, "payload" jsonb not null, "content_type" varchar(255) null, "size" int not null, "signature_verified" boolean not null, "webhook_id" varchar(255) null, "correlation_id" varchar(255) not null);`);
    this.addSql(`create index "inbound_hook_messages_hook_id_id_index" on "inbound_hook_messages" ("hook_id", "id");`);
    this.addSql(`create index "inbound_hook_messages_hook_id_webhook_id_index" on "inbound_hook_messages" ("hook_id", "webhook_id");`);
    this.addSql(`create index "inbound_hook_messages_received_at_index" on "inbound_hook_messages" ("received_at");`);

    this.addSql(`alter table "inbound_hooks" add constraint "inbound_hooks_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on delete cascade;`);
    this.addSql(`alter table "inbound_hooks" add constraint "inbound_hooks_created_by_id_foreign" foreign key ("created_by_id") references "members" ("id") on delete set null;`);
    this.addSql(`alter table "inbound_hooks" add constraint "inbound_hooks_status_check" check ("status" in ('active', 'disabled'));`);

    this.addSql(`alter table "inbound_hook_posts" add constraint "inbound_hook_posts_hook_id_foreign" foreign key ("hook_id") references "inbound_hooks" ("id") on delete cascade;`);

    this.addSql(`alter table "inbound_hook_messages" add constraint "inbound_hook_messages_hook_id_foreign" foreign key ("hook_id") references "inbound_hooks" ("id") on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "inbound_hook_posts" cascade;`);
    this.addSql(`drop table if exists "inbound_hook_messages" cascade;`);
    this.addSql(`drop table if exists "inbound_hooks" cascade;`);
  }

}
