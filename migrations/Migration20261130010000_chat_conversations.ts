import { Migration } from '@mikro-orm/migrations';

/**
 * Conversation references a bot needs to post on its own (Microsoft Teams: the service URL and
 * conversation of every conversation the bot was added to or spoken to in), one per channel.
 */
export class Migration20261130010000_chat_conversations extends Migration {

  override name = 'Migration20261130010000_chat_conversations';

  override up(): void | Promise<void> {
    this.addSql(`create table "chat_conversations" ("id" uuid not null, "platform" text not null, "team_external_id" varchar(255) not null, "channel_id" varchar(255) not null, "reference" jsonb not null, "active" boolean not null default true, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "chat_conversations" add constraint "chat_conversations_platform_team_external_id_channel_id_unique" unique ("platform", "team_external_id", "channel_id");`);
    this.addSql(`alter table "chat_conversations" add constraint "chat_conversations_platform_check" check ("platform" in ('slack', 'discord', 'teams', 'cli'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "chat_conversations" cascade;`);
  }
}
