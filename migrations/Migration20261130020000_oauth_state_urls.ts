import { Migration } from '@mikro-orm/migrations';

/**
 * The per-connection URL overrides an OAuth authorization was started with (Salesforce sandbox or
 * My Domain login host), kept on the pending state so the callback's token exchange uses the same
 * host as the authorize redirect, and saved on the connection it creates.
 */
export class Migration20261130020000_oauth_state_urls extends Migration {

  override name = 'Migration20261130020000_oauth_state_urls';

  override up(): void | Promise<void> {
    this.addSql(`alter table "oauth_states" add column "urls" jsonb null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "oauth_states" drop column "urls";`);
  }
}
