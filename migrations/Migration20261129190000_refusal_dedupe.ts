import { Migration } from '@mikro-orm/migrations';

/**
 * Repeated identical refusals are audited once per window with a count: a refused entry carries
 * the key of its refusal and window, and a repeat upserts on it (src/audit/refusals.ts). Unique,
 * so concurrent repeats of a flood land on the one entry; null for every other entry.
 */
export class Migration20261129190000_refusal_dedupe extends Migration {

  override name = 'Migration20261129190000_refusal_dedupe';

  override up(): void | Promise<void> {
    this.addSql(`alter table "audit_logs" add column "dedupe_key" varchar(255) null;`);
    this.addSql(`alter table "audit_logs" add constraint "audit_logs_dedupe_key_unique" unique ("dedupe_key");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "audit_logs" drop constraint "audit_logs_dedupe_key_unique";`);
    this.addSql(`alter table "audit_logs" drop column "dedupe_key";`);
  }

}
