import { Migration } from '@mikro-orm/migrations';

/**
 * A Sandbox subscription to Patchbay's own Sandbox receiver is marked when it is made (by the
 * server, which knows its own addresses), so every process that sends the Sandbox's webhooks —
 * the server, or `npm run sandbox -- edit` with another PORT in its environment — delivers to it
 * without the egress policy that refuses loopback targets.
 */
export class Migration20261130000300_sandbox_own_receiver extends Migration {

  override name = 'Migration20261130000300_sandbox_own_receiver';

  override up(): void | Promise<void> {
    this.addSql(`alter table "sandbox"."webhooks" add "own_receiver" boolean not null default false;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "sandbox"."webhooks" drop column "own_receiver";`);
  }
}
