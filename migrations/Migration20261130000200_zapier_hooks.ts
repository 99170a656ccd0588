import { Migration } from '@mikro-orm/migrations';

/**
 * Zapier REST hooks. An outbound endpoint says who made it (`source`): `api` (an admin, through the
 * API) or `zapier` (a Zap subscribing through `POST /api/v1/zapier/hooks`). A Zapier-owned endpoint
 * is removed, not disabled, when its hook URL answers 410 Gone, and only the Zapier routes delete it.
 * Connections gain the `inbound` auth kind: a provider that calls Patchbay with a Patchbay API token
 * (Zapier), for which Patchbay itself stores no credentials.
 */
export class Migration20261130000200_zapier_hooks extends Migration {

  override name = 'Migration20261130000200_zapier_hooks';

  override up(): void | Promise<void> {
    this.addSql(`alter table "webhook_endpoints" add "source" text not null default 'api';`);
    this.addSql(`alter table "webhook_endpoints" add constraint "webhook_endpoints_source_check" check ("source" in ('api', 'zapier'));`);
    this.addSql(`alter table "connections" drop constraint if exists "connections_auth_kind_check";`);
    this.addSql(`alter table "connections" add constraint "connections_auth_kind_check" check ("auth_kind" in ('oauth2', 'api_key', 'basic', 'inbound'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "connections" drop constraint if exists "connections_auth_kind_check";`);
    this.addSql(`alter table "connections" add constraint "connections_auth_kind_check" check ("auth_kind" in ('oauth2', 'api_key', 'basic'));`);
    this.addSql(`alter table "webhook_endpoints" drop constraint if exists "webhook_endpoints_source_check";`);
    this.addSql(`alter table "webhook_endpoints" drop column "source";`);
  }

}
