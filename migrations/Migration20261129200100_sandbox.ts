import { Migration } from '@mikro-orm/migrations';

/**
 * The Sandbox: a small fake SaaS Patchbay serves under /sandbox/api (src/sandbox/), in its own
 * schema so it never mixes with Patchbay's tables (the ORM ignores the schema; no entities).
 * Records are per account; deletes are tombstones; each feed is walked by (account, updated_at, id).
 */
export class Migration20261129200100_sandbox extends Migration {

  override name = 'Migration20261129200100_sandbox';

  override up(): void | Promise<void> {
    this.addSql(`create schema if not exists "sandbox";`);
    this.addSql(`create table "sandbox"."accounts" ("id" text primary key, "name" text not null, "throttled_until" timestamptz null, "created_at" timestamptz not null default now());`);
    this.addSql(`create table "sandbox"."api_keys" ("id" text primary key, "account_id" text not null references "sandbox"."accounts" ("id") on delete cascade, "key_hash" text not null unique, "created_at" timestamptz not null default now());`);
    this.addSql(`create table "sandbox"."tasks" ("account_id" text not null references "sandbox"."accounts" ("id") on delete cascade, "id" text not null, "name" text not null, "notes" text null, "status" text not null default 'todo' check ("status" in ('todo', 'in_progress', 'done')), "due_on" date null, "assignee_email" text null, "tags" jsonb not null default '[]', "project" text null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "deleted_at" timestamptz null, primary key ("account_id", "id"));`);
    this.addSql(`create index "sandbox_tasks_feed" on "sandbox"."tasks" ("account_id", "updated_at", "id");`);
    this.addSql(`create table "sandbox"."contacts" ("account_id" text not null references "sandbox"."accounts" ("id") on delete cascade, "id" text not null, "first_name" text null, "last_name" text null, "email" text null, "phone_number" text null, "company" text null, "job_title" text null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "deleted_at" timestamptz null, primary key ("account_id", "id"));`);
    this.addSql(`create index "sandbox_contacts_feed" on "sandbox"."contacts" ("account_id", "updated_at", "id");`);
    this.addSql(`create table "sandbox"."idempotency_keys" ("account_id" text not null references "sandbox"."accounts" ("id") on delete cascade, "key" text not null, "object" text not null, "request_hash" text not null, "record_id" text not null, "created_at" timestamptz not null default now(), primary key ("account_id", "key"));`);
    this.addSql(`create table "sandbox"."webhooks" ("id" text primary key, "account_id" text not null references "sandbox"."accounts" ("id") on delete cascade, "url" text not null, "secret" text not null, "created_at" timestamptz not null default now());`);
    this.addSql(`create index "sandbox_webhooks_account" on "sandbox"."webhooks" ("account_id");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop schema if exists "sandbox" cascade;`);
  }

}
