import { Migration } from '@mikro-orm/migrations';

/**
 * Task relationships (HourStack): a task made from a provider item (POST /api/v1/tasks/from-source,
 * chat `schedule`) keeps the item it came from — the connection and the item's id there. The link
 * lives on the task row so the database itself can say "a source item is never linked to two open
 * tasks": a partial unique index over the live open tasks that have a source. A done (or deleted)
 * task keeps its link as history; the item may then get a new open task.
 */
export class Migration20261129230100_task_sources extends Migration {

  override name = 'Migration20261129230100_task_sources';

  override up(): void | Promise<void> {
    this.addSql(`alter table "tasks" add "source_connection_id" uuid null, add "source_remote_id" text null;`);
    this.addSql(`alter table "tasks" add constraint "tasks_source_connection_id_foreign" foreign key ("source_connection_id") references "connections" ("id") on delete set null;`);
    this.addSql(`alter table "tasks" add constraint "tasks_source_check" check ("source_connection_id" is null or "source_remote_id" is not null);`);
    // Every task ever made from the item (open or not), newest first: the lookup's index.
    this.addSql(`create index "tasks_source_index" on "tasks" ("workspace_id", "source_connection_id", "source_remote_id") where "source_connection_id" is not null;`);
    // The rule itself: at most one live open task per source item.
    this.addSql(`create unique index "tasks_source_open_unique" on "tasks" ("workspace_id", "source_connection_id", "source_remote_id") where "source_connection_id" is not null and "status" = 'open' and "deleted_at" is null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index if exists "tasks_source_open_unique";`);
    this.addSql(`drop index if exists "tasks_source_index";`);
    this.addSql(`alter table "tasks" drop constraint if exists "tasks_source_check";`);
    this.addSql(`alter table "tasks" drop constraint if exists "tasks_source_connection_id_foreign";`);
    this.addSql(`alter table "tasks" drop column "source_connection_id", drop column "source_remote_id";`);
  }

}
