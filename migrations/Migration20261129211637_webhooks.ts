import { Migration } from '@mikro-orm/migrations';

export class Migration20261129211637_webhooks extends Migration {

  override name = 'Migration20261129211637_webhooks';

  override up(): void | Promise<void> {
    this.addSql(`create table "webhook_endpoints" ("id" uuid not null, "workspace_id" uuid not null, "name" varchar(255) not null, "url" text not null, "authorization_header" varchar(255) null, "authorization_value" text null, "event_types" text[] null, "secret" text not null, "previous_secret" text null, "previous_secret_expires_at" timestamptz null, "status" text not null default 'active', "status_reason" text null, "consecutive_failures" int not null default 0, "created_by_id" uuid null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "webhook_endpoints" add constraint "webhook_endpoints_workspace_id_name_unique" unique ("workspace_id", "name");`);

    this.addSql(`alter table "webhook_endpoints" add constraint "webhook_endpoints_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on delete cascade;`);
    this.addSql(`alter table "webhook_endpoints" add constraint "webhook_endpoints_created_by_id_foreign" foreign key ("created_by_id") references "members" ("id") on delete set null;`);
    this.addSql(`alter table "webhook_endpoints" add constraint "webhook_endpoints_status_check" check ("status" in ('active', 'paused', 'disabled'));`);
  }

  override down(): void | Promise<void> {
    // The generator also re-adds hand-written triggers here as empty stubs; only this migration's table goes.
    this.addSql(`drop table if exists "webhook_endpoints" cascade;`);
  }

}
