import { Migration } from '@mikro-orm/migrations';

export class Migration20261122221336_oauth extends Migration {

  override name = 'Migration20261122221336_oauth';

  override up(): void | Promise<void> {
    this.addSql(`create table "provider_apps" ("id" uuid not null, "workspace_id" uuid not null, "provider_slug" varchar(255) not null, "client_id" varchar(255) not null, "client_secret" text not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "provider_apps" add constraint "provider_apps_workspace_id_provider_slug_unique" unique ("workspace_id", "provider_slug");`);

    this.addSql(`create table "oauth_states" ("id" varchar(255) not null, "workspace_id" uuid not null, "member_id" uuid not null, "provider_slug" varchar(255) not null, "connection_id" uuid null, "display_name" varchar(255) null, "scopes" jsonb not null, "redirect_uri" varchar(255) not null, "code_verifier" text null, "chat_context" jsonb null, "created_at" timestamptz not null, "expires_at" timestamptz not null, "used_at" timestamptz null, primary key ("id"));`);

    this.addSql(`alter table "connections" add "token_refreshed_at" timestamptz null;`);

    this.addSql(`alter table "provider_apps" add constraint "provider_apps_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on delete cascade;`);

    this.addSql(`alter table "oauth_states" add constraint "oauth_states_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on delete cascade;`);
    this.addSql(`alter table "oauth_states" add constraint "oauth_states_member_id_foreign" foreign key ("member_id") references "members" ("id") on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "provider_apps" cascade;`);
    this.addSql(`drop table if exists "oauth_states" cascade;`);

    this.addSql(`alter table "connections" drop column "token_refreshed_at";`);
  }

}
