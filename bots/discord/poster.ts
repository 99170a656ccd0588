/**
 * The Discord poster of the alert pipeline (src/alerts/posters.ts): `POST /channels/{id}/messages`
 * (a follow-up replies to the alert it follows) and `PATCH …/messages/{id}`, with the bot token.
 * - 429 → `PosterRateLimitedError` with Discord's retry_after (the REST client rejects instead of
 *   waiting, so one busy channel never holds the alert queue);
 * - 403 `50001 Missing Access` / 404 `10003 Unknown Channel`: the guild is read to tell the two
 *   losses apart. The bot removed from the guild → the guild's links and subscriptions are
 *   deactivated; only the channel lost (deleted, or hidden from the bot) → `ChannelGoneError`,
 *   which unsubscribes that channel with a log entry. `50013 Missing Permissions` (cannot send
 *   there) is a lost channel too;
 * - 400 / 401 (a message or a token Discord refuses every time) → `PosterPermanentError`.
 * https://discord.com/developers/docs/topics/opcodes-and-status-codes#json-json-error-codes
 */
import { DiscordAPIError, RateLimitError, Routes, type REST } from 'discord.js';
import { ChannelGoneError, PosterPermanentError, PosterRateLimitedError, type Poster, type PostTarget } from '../../src/alerts/posters.ts';
import { deactivateTeam } from '../../src/chat/tenancy.ts';
import type { Runtime } from '../../src/runtime.ts';
import type { GuildOwners } from './members.ts';
import { renderEdit, renderMessage } from './render/message.ts';

export const DISCORD_ERRORS = { unknownChannel: 10003, unknownGuild: 10004, unknownMessage: 10008, missingAccess: 50001, missingPermissions: 50013 } as const;

export type PosterDeps = { rt: Runtime; rest: REST; owners: GuildOwners };

/** Whether the bot is still in the guild (a guild it cannot read is one it was removed from). */
async function stillInGuild(deps: PosterDeps, guildId: string): Promise<boolean> {
  try {
    await deps.rest.get(Routes.guild(guildId));
    return true;
  } catch (err) {
    if (err instanceof DiscordAPIError && (err.status === 403 || err.status === 404)) return false;
    throw err;
  }
}

async function posterError(deps: PosterDeps, err: unknown, target: PostTarget, what: string): Promise<Error> {
  if (err instanceof RateLimitError) return new PosterRateLimitedError(Math.max(1, Math.ceil(err.retryAfter / 1000)));
  if (!(err instanceof DiscordAPIError)) return err instanceof Error ? err : new Error(String(err));
  const code = Number(err.code);
  if (code === DISCORD_ERRORS.missingAccess || code === DISCORD_ERRORS.unknownChannel || code === DISCORD_ERRORS.unknownGuild) {
    if (!(await stillInGuild(deps, target.teamId))) {
      deps.owners.forget(target.teamId);
      await deactivateTeam(deps.rt, 'discord', target.teamId, 'The Patchbay bot was removed from this Discord server.');
      return new ChannelGoneError(`Discord ${what}: Patchbay is no longer in the server`, { cause: err });
    }
    return new ChannelGoneError(`Discord ${what}: ${code === DISCORD_ERRORS.unknownChannel ? 'the channel no longer exists' : 'Patchbay may not see the channel'} (${code})`, { cause: err });
  }
  if (code === DISCORD_ERRORS.missingPermissions) return new ChannelGoneError(`Discord ${what}: Patchbay may not post in the channel (50013 Missing Permissions)`, { cause: err });
  if (err.status === 400 || err.status === 401 || code === DISCORD_ERRORS.unknownMessage) {
    return new PosterPermanentError(String(code || err.status), `Discord ${what} refused the message: ${code || err.status} ${err.message}`, { cause: err });
  }
  return new Error(`Discord ${what} failed: ${err.status} ${code}`, { cause: err });
}

/** A channel message: never ephemeral (flags only apply to interaction replies). */
function channelMessage(reply: Parameters<typeof renderMessage>[0]) {
  const { flags: _flags, ...body } = renderMessage(reply);
  return body;
}

export function createDiscordPoster(deps: PosterDeps): Poster {
  return {
    async post(target, reply, thread) {
      try {
        const body = { ...channelMessage(reply), ...(thread ? { message_reference: { message_id: thread, fail_if_not_exists: false } } : {}) };
        const res = (await deps.rest.post(Routes.channelMessages(target.channelId), { body })) as { id?: unknown };
        if (typeof res?.id !== 'string') throw new Error('Discord answered a post without a message id');
        return { messageRef: res.id };
      } catch (err) {
        throw await posterError(deps, err, target, 'POST /channels/{id}/messages');
      }
    },
    async update(target, messageRef, reply) {
      try {
        // Every field, as Discord keeps what an edit leaves out; no flags, as when it was posted.
        await deps.rest.patch(Routes.channelMessage(target.channelId, messageRef), { body: { ...renderEdit(reply, false), flags: 0 } });
      } catch (err) {
        throw await posterError(deps, err, target, 'PATCH /channels/{id}/messages/{id}');
      }
    },
  };
}
