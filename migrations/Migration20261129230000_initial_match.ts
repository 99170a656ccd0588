import { Migration } from '@mikro-orm/migrations';

/**
 * Initial match: a rule remembers when its existing records were matched (`matched_at`) and where
 * the matching read of the provider stands (`match_cursor`); `sync_match_keys` stages the remote
 * side's match keys page by page, so a big account is matched with set-based SQL, not in memory.
 * Rules that already ran count as matched: their records are linked by their earlier runs.
 */
export class Migration20261129230000_initial_match extends Migration {

  override name = 'Migration20261129230000_initial_match';

  override up(): void | Promise<void> {
    this.addSql(`alter table "sync_rules" add "matched_at" timestamptz null, add "match_cursor" jsonb null;`);
    this.addSql(`update "sync_rules" set "matched_at" = coalesce("initial_import_at", "last_run_at", now()) where "pull_cursor" is not null or "push_cursor" is not null or "initial_import_at" is not null or "last_run_at" is not null;`);

    this.addSql(`create table "sync_match_keys" ("batch_id" uuid not null, "remote_id" varchar(255) not null, "key" text null, "local_id" uuid null, "values" jsonb not null, "meta" jsonb not null, "remote_updated_at" timestamptz null, "created_at" timestamptz not null, primary key ("batch_id", "remote_id"));`);
    this.addSql(`create index "sync_match_keys_batch_id_key_index" on "sync_match_keys" ("batch_id", "key");`);

    this.addSql(`alter table "sync_runs" drop constraint if exists "sync_runs_phase_check";`);
    this.addSql(`alter table "sync_runs" add constraint "sync_runs_phase_check" check ("phase" in ('match', 'pull', 'sweep', 'push', 'done'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "sync_match_keys" cascade;`);
    this.addSql(`alter table "sync_rules" drop column "matched_at", drop column "match_cursor";`);
    this.addSql(`alter table "sync_runs" drop constraint if exists "sync_runs_phase_check";`);
    this.addSql(`alter table "sync_runs" add constraint "sync_runs_phase_check" check ("phase" in ('pull', 'sweep', 'push', 'done'));`);
  }

}
