import { Migration } from '@mikro-orm/migrations';

/**
 * Inbound provider webhooks. A receipt now says which connection and object it concerns (the
 * apply job of that connection reads its unprocessed receipts), and `provider_webhooks` keeps
 * what Patchbay registered at a provider — or what an Admin configured there — with the secret
 * that verifies its deliveries (vault ciphertext) and when it expires.
 */
export class Migration20261130000000_provider_webhooks extends Migration {

  override name = 'Migration20261130000000_provider_webhooks';

  override up(): void | Promise<void> {
    this.addSql(`alter table "inbound_receipts" add "connection_id" uuid null, add "object" text null, add "remote_id" text null, add "resource" text null;`);
    this.addSql(`alter table "inbound_receipts" add constraint "inbound_receipts_connection_id_foreign" foreign key ("connection_id") references "connections" ("id") on delete cascade;`);
    // The apply job's work list: a connection's receipts not yet applied, oldest first.
    this.addSql(`create index "inbound_receipts_pending_index" on "inbound_receipts" ("connection_id", "received_at") where "processed_at" is null and "connection_id" is not null;`);

    this.addSql(`create table "provider_webhooks" (
      "id" uuid not null, "workspace_id" uuid not null, "connection_id" uuid not null, "provider_slug" varchar(255) not null,
      "resource" varchar(255) not null, "remote_id" varchar(255) null, "secret" text null,
      "origin" text check ("origin" in ('registered', 'admin')) not null default 'registered',
      "status" text check ("status" in ('pending', 'active', 'failed')) not null default 'pending',
      "error" text null, "expires_at" timestamptz null, "last_received_at" timestamptz null,
      "created_at" timestamptz not null, "updated_at" timestamptz not null,
      constraint "provider_webhooks_pkey" primary key ("id"));`);
    this.addSql(`alter table "provider_webhooks" add constraint "provider_webhooks_connection_resource_unique" unique ("connection_id", "resource");`);
    this.addSql(`create index "provider_webhooks_expires_at_index" on "provider_webhooks" ("expires_at") where "expires_at" is not null;`);
    this.addSql(`alter table "provider_webhooks" add constraint "provider_webhooks_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on delete cascade;`);
    this.addSql(`alter table "provider_webhooks" add constraint "provider_webhooks_connection_id_foreign" foreign key ("connection_id") references "connections" ("id") on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "provider_webhooks" cascade;`);
    this.addSql(`drop index if exists "inbound_receipts_pending_index";`);
    this.addSql(`alter table "inbound_receipts" drop constraint if exists "inbound_receipts_connection_id_foreign";`);
    this.addSql(`alter table "inbound_receipts" drop column "connection_id", drop column "object", drop column "remote_id", drop column "resource";`);
  }
}
