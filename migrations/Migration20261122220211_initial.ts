import { Migration } from '@mikro-orm/migrations';

export class Migration20261122220211_initial extends Migration {

  override name = 'Migration20261122220211_initial';

  override up(): void | Promise<void> {
    this.addSql(`create table "workspaces" ("id" uuid not null, "name" varchar(255) not null, "slug" varchar(255) not null, "settings" jsonb not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "workspaces" add constraint "workspaces_slug_unique" unique ("slug");`);

    this.addSql(`create table "members" ("id" uuid not null, "workspace_id" uuid not null, "display_name" varchar(255) not null, "email" varchar(255) null, "role" text not null default 'member', "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "members" add constraint "members_workspace_id_email_unique" unique ("workspace_id", "email");`);

    this.addSql(`create table "api_tokens" ("id" uuid not null, "workspace_id" uuid not null, "member_id" uuid not null, "name" varchar(255) not null, "prefix" varchar(255) not null, "token_hash" varchar(255) not null, "created_at" timestamptz not null, "last_used_at" timestamptz null, "revoked_at" timestamptz null, primary key ("id"));`);
    this.addSql(`alter table "api_tokens" add constraint "api_tokens_token_hash_unique" unique ("token_hash");`);

    this.addSql(`alter table "members" add constraint "members_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on delete cascade;`);
    this.addSql(`alter table "members" add constraint "members_role_check" check ("role" in ('owner', 'admin', 'member'));`);

    this.addSql(`alter table "api_tokens" add constraint "api_tokens_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on delete cascade;`);
    this.addSql(`alter table "api_tokens" add constraint "api_tokens_member_id_foreign" foreign key ("member_id") references "members" ("id") on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "members" drop constraint "members_workspace_id_foreign";`);
    this.addSql(`alter table "api_tokens" drop constraint "api_tokens_workspace_id_foreign";`);
    this.addSql(`alter table "api_tokens" drop constraint "api_tokens_member_id_foreign";`);

    this.addSql(`drop table if exists "workspaces" cascade;`);
    this.addSql(`drop table if exists "members" cascade;`);
    this.addSql(`drop table if exists "api_tokens" cascade;`);
  }

}
