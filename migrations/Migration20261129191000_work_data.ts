import { Migration } from '@mikro-orm/migrations';

/**
 * The workspace's own work data: tasks, time entries, contacts and calendar events, which the
 * sync engine mirrors to and from providers. Rows are soft-deleted (`deleted_at`) so a sync can
 * still see a delete; each table is walked by (workspace, updated_at, id) for `updated_since`.
 */
export class Migration20261129191000_work_data extends Migration {

  override name = 'Migration20261129191000_work_data';

  override up(): void | Promise<void> {
    this.addSql(`create table "tasks" ("id" uuid not null, "workspace_id" uuid not null, "title" text not null, "description" text null, "status" text not null default 'open', "due_date" date null, "assignee_email" varchar(255) null, "scheduled_minutes" int null, "labels" jsonb not null, "created_by_id" uuid null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "deleted_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "tasks_workspace_id_updated_at_id_index" on "tasks" ("workspace_id", "updated_at", "id");`);

    this.addSql(`create table "time_entries" ("id" uuid not null, "workspace_id" uuid not null, "task_id" uuid not null, "member_id" uuid null, "assignee_email" varchar(255) null, "start_at" timestamptz not null, "minutes" int not null, "note" text null, "created_by_id" uuid null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "deleted_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "time_entries_workspace_id_updated_at_id_index" on "time_entries" ("workspace_id", "updated_at", "id");`);
    this.addSql(`create index "time_entries_task_id_index" on "time_entries" ("task_id");`);

    this.addSql(`create table "contacts" ("id" uuid not null, "workspace_id" uuid not null, "name" varchar(255) not null, "email" varchar(255) null, "phone" varchar(255) null, "company" varchar(255) null, "title" varchar(255) null, "created_by_id" uuid null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "deleted_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "contacts_workspace_id_updated_at_id_index" on "contacts" ("workspace_id", "updated_at", "id");`);

    this.addSql(`create table "calendar_events" ("id" uuid not null, "workspace_id" uuid not null, "title" text not null, "description" text null, "start_at" timestamptz not null, "end_at" timestamptz not null, "all_day" boolean not null default false, "time_zone" varchar(255) null, "location" text null, "attendees" jsonb not null, "created_by_id" uuid null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "deleted_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "calendar_events_workspace_id_updated_at_id_index" on "calendar_events" ("workspace_id", "updated_at", "id");`);

    this.addSql(`alter table "tasks" add constraint "tasks_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on delete cascade;`);
    this.addSql(`alter table "tasks" add constraint "tasks_created_by_id_foreign" foreign key ("created_by_id") references "members" ("id") on delete set null;`);
    this.addSql(`alter table "tasks" add constraint "tasks_status_check" check ("status" in ('open', 'done'));`);

    this.addSql(`alter table "time_entries" add constraint "time_entries_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on delete cascade;`);
    this.addSql(`alter table "time_entries" add constraint "time_entries_task_id_foreign" foreign key ("task_id") references "tasks" ("id") on delete cascade;`);
    this.addSql(`alter table "time_entries" add constraint "time_entries_member_id_foreign" foreign key ("member_id") references "members" ("id") on delete set null;`);
    this.addSql(`alter table "time_entries" add constraint "time_entries_created_by_id_foreign" foreign key ("created_by_id") references "members" ("id") on delete set null;`);

    this.addSql(`alter table "contacts" add constraint "contacts_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on delete cascade;`);
    this.addSql(`alter table "contacts" add constraint "contacts_created_by_id_foreign" foreign key ("created_by_id") references "members" ("id") on delete set null;`);

    this.addSql(`alter table "calendar_events" add constraint "calendar_events_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on delete cascade;`);
    this.addSql(`alter table "calendar_events" add constraint "calendar_events_created_by_id_foreign" foreign key ("created_by_id") references "members" ("id") on delete set null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "time_entries" cascade;`);
    this.addSql(`drop table if exists "tasks" cascade;`);
    this.addSql(`drop table if exists "contacts" cascade;`);
    this.addSql(`drop table if exists "calendar_events" cascade;`);
  }

}
