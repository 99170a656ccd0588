/**
 * Who a Discord member is to Patchbay's role check. The interaction carries the member's
 * computed permissions (Administrator or Manage Server → platform admin) but not the guild's
 * owner: that is read from the guild through REST and cached per guild for a few minutes. The
 * read is bounded so the 3-second acknowledgement is never missed; when Discord does not answer
 * in time, the member is judged by permissions alone (never raised by a guess).
 */
import { Routes, type REST } from 'discord.js';
import type { PlatformRole } from '../../src/entities/chat-team.ts';
import type { Logger } from '../../src/logger.ts';
import { PLATFORM_ROLE_TTL_MS } from '../../src/chat/identity.ts';
import { roleFromPermissions, type Interaction } from './parse.ts';

/** A failed read is not retried for this long (a guild the bot left would be asked on every command). */
const NEGATIVE_TTL_MS = 60_000;
const OWNER_READ_BUDGET_MS = 1_500;

export type GuildOwners = {
  /** The guild's owner id, or null when it cannot be read now. */
  ownerOf(guildId: string): Promise<string | null>;
  /** Forgets a guild (the bot left it, or its owner changed). */
  forget(guildId: string): void;
};

export function createGuildOwners(rest: REST, logger: Logger, budgetMs = OWNER_READ_BUDGET_MS): GuildOwners {
  const cache = new Map<string, { ownerId: string | null; until: number }>();
  const flights = new Map<string, Promise<string | null>>();
  const read = async (guildId: string): Promise<string | null> => {
    try {
      const guild = (await rest.get(Routes.guild(guildId))) as { owner_id?: unknown };
      const ownerId = typeof guild.owner_id === 'string' ? guild.owner_id : null;
      cache.set(guildId, { ownerId, until: Date.now() + PLATFORM_ROLE_TTL_MS });
      return ownerId;
    } catch (err) {
      logger.warn({ guild: guildId, error: err instanceof Error ? err.message : String(err) }, 'discord: could not read the guild owner; judging by permissions only');
      cache.set(guildId, { ownerId: null, until: Date.now() + NEGATIVE_TTL_MS });
      return null;
    }
  };
  return {
    async ownerOf(guildId) {
      const hit = cache.get(guildId);
      if (hit && hit.until > Date.now()) return hit.ownerId;
      let flight = flights.get(guildId);
      if (!flight) {
        flight = read(guildId).finally(() => flights.delete(guildId));
        flights.set(guildId, flight);
      }
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<null>((r) => (timer = setTimeout(() => r(null), budgetMs)));
      try {
        return await Promise.race([flight, late]);
      } finally {
        clearTimeout(timer);
      }
    },
    forget: (guildId) => void cache.delete(guildId),
  };
}

/**
 * The platform role of the interaction's member: `owner` for the guild's owner, `admin` with
 * Administrator or Manage Server, else null. The guild is read only when permissions do not
 * already say admin (Discord computes every permission for the owner, so that read is rare).
 */
export async function platformRoleOf(i: Interaction & { guild_id: string }, owners: GuildOwners): Promise<PlatformRole | null> {
  const byPermissions = roleFromPermissions(i.member?.permissions);
  const userId = i.member?.user.id ?? i.user?.id;
  if (byPermissions || !userId) return byPermissions;
  return (await owners.ownerOf(i.guild_id)) === userId ? 'owner' : null;
}
