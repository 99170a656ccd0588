/**
 * Conversation references: how a bot reaches a channel on its own, for platforms that post
 * proactively with more than a channel id (Microsoft Teams). Remembered whenever the bot is added
 * to a conversation or spoken to there; written only when something changed, so the common case
 * (the same reference again) costs one statement that updates nothing.
 */
import type { ChatPlatform } from './platforms.ts';
import type { Runtime } from '../runtime.ts';

export type ConversationKey = { platform: ChatPlatform; teamId: string; channelId: string };

export async function rememberConversation(rt: Runtime, key: ConversationKey, reference: Record<string, unknown>): Promise<void> {
  await rt.db.pool.query(
    `insert into chat_conversations (id, platform, team_external_id, channel_id, reference, active, created_at, updated_at)
     values (gen_random_uuid(), $1, $2, $3, $4, true, now(), now())
     on conflict (platform, team_external_id, channel_id) do update set reference = excluded.reference, active = true, updated_at = now()
     where chat_conversations.reference is distinct from excluded.reference or not chat_conversations.active`,
    [key.platform, key.teamId, key.channelId, JSON.stringify(reference)],
  );
}

/** The stored reference of an active conversation, or null. */
export async function findConversation(rt: Runtime, key: ConversationKey): Promise<Record<string, unknown> | null> {
  const { rows } = await rt.db.pool.query<{ reference: Record<string, unknown> }>(
    'select reference from chat_conversations where platform = $1 and team_external_id = $2 and channel_id = $3 and active',
    [key.platform, key.teamId, key.channelId],
  );
  return rows[0]?.reference ?? null;
}

/** The bot can no longer post there (removed from the conversation, or the app uninstalled). */
export async function forgetConversations(rt: Runtime, platform: ChatPlatform, teamId: string, channelId?: string): Promise<number> {
  const { rowCount } = await rt.db.pool.query(
    `update chat_conversations set active = false, updated_at = now() where platform = $1 and team_external_id = $2 and active ${channelId ? 'and channel_id = $3' : ''}`,
    channelId ? [platform, teamId, channelId] : [platform, teamId],
  );
  return rowCount ?? 0;
}
