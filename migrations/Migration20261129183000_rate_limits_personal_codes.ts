import { Migration } from '@mikro-orm/migrations';

/**
 * Throttles and personal link codes: fixed-window counters shared by every process (API rate
 * limits, wrong link codes, de-duplicated refusals), the kind of a link code (a team's, or a
 * member's own), and audit entries without a workspace (wrong codes from an unlinked chat team).
 */
export class Migration20261129183000_rate_limits_personal_codes extends Migration {

  override name = 'Migration20261129183000_rate_limits_personal_codes';

  override up(): void | Promise<void> {
    this.addSql(`create table "rate_limit_counters" ("key" varchar(255) not null, "window_start" timestamptz not null, "count" int not null, "ref" bigint null, primary key ("key"));`);

    this.addSql(`alter table "chat_link_codes" add "kind" text not null default 'team';`);
    this.addSql(`alter table "chat_link_codes" add constraint "chat_link_codes_kind_check" check ("kind" in ('team', 'personal'));`);

    this.addSql(`alter table "audit_logs" alter column "workspace_id" drop not null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "rate_limit_counters" cascade;`);
    this.addSql(`delete from "audit_logs" where "workspace_id" is null;`);
    this.addSql(`alter table "audit_logs" alter column "workspace_id" set not null;`);
    this.addSql(`alter table "chat_link_codes" drop constraint "chat_link_codes_kind_check";`);
    this.addSql(`alter table "chat_link_codes" drop column "kind";`);
  }

}
