import { Migration } from '@mikro-orm/migrations';

/** Outbound webhook deliveries (one per event and endpoint, body as sent), their attempts, and per-endpoint totals. */
export class Migration20261129214743_webhook_deliveries extends Migration {

  override name = 'Migration20261129214743_webhook_deliveries';

  override up(): void | Promise<void> {
    this.addSql(`create table "webhook_deliveries" ("id" bigserial primary key, "message_id" varchar(255) not null, "workspace_id" uuid not null, "endpoint_id" uuid not null, "event_id" bigint null, "event_type" varchar(255) not null, "body" text not null, "status" text not null default 'pending', "attempts" int not null default 0, "next_attempt_at" timestamptz null, "last_status_code" int null, "last_error" text null, "last_attempt_at" timestamptz null, "delivered_at" timestamptz null, "created_at" timestamptz not null);`);
    this.addSql(`alter table "webhook_deliveries" add constraint "webhook_deliveries_message_id_unique" unique ("message_id");`);
    this.addSql(`create index "webhook_deliveries_pending" on "webhook_deliveries" ("endpoint_id", "event_id", "id") where "status" = 'pending';`);
    this.addSql(`create index "webhook_deliveries_endpoint_id_created_at_index" on "webhook_deliveries" ("endpoint_id", "created_at");`);

    this.addSql(`create table "webhook_attempts" ("id" bigserial primary key, "delivery_id" bigint not null, "endpoint_id" uuid not null, "trigger" varchar(255) not null default 'retry', "attempted_at" timestamptz not null, "status_code" int null, "duration_ms" int not null, "response" text null, "error" text null);`);
    this.addSql(`create index "webhook_attempts_delivery_id_id_index" on "webhook_attempts" ("delivery_id", "id");`);
    this.addSql(`create index "webhook_attempts_attempted_at_index" on "webhook_attempts" ("attempted_at");`);

    this.addSql(`alter table "webhook_endpoints" add "last_attempt_at" timestamptz null, add "last_status_code" int null, add "last_success_at" timestamptz null, add "delivered_total" bigint not null default '0', add "attempts_total" bigint not null default '0', add "failed_attempts_total" bigint not null default '0';`);

    this.addSql(`alter table "webhook_deliveries" add constraint "webhook_deliveries_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on delete cascade;`);
    this.addSql(`alter table "webhook_deliveries" add constraint "webhook_deliveries_endpoint_id_foreign" foreign key ("endpoint_id") references "webhook_endpoints" ("id") on delete cascade;`);
    this.addSql(`alter table "webhook_deliveries" add constraint "webhook_deliveries_status_check" check ("status" in ('pending', 'delivered', 'failed', 'refused'));`);

    this.addSql(`alter table "webhook_attempts" add constraint "webhook_attempts_delivery_id_foreign" foreign key ("delivery_id") references "webhook_deliveries" ("id") on delete cascade;`);
    this.addSql(`alter table "webhook_attempts" add constraint "webhook_attempts_endpoint_id_foreign" foreign key ("endpoint_id") references "webhook_endpoints" ("id") on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "webhook_attempts" cascade;`);
    this.addSql(`drop table if exists "webhook_deliveries" cascade;`);
    this.addSql(`alter table "webhook_endpoints" drop column "last_attempt_at", drop column "last_status_code", drop column "last_success_at", drop column "delivered_total", drop column "attempts_total", drop column "failed_attempts_total";`);
  }

}
