/**
 * Who is typing or clicking: the Slack user's workspace role (`users.info` is_owner/is_admin) and,
 * with `users:read.email`, their email — slash commands and clicks carry neither.
 *
 * `users.info` is called only when the role cached on the user's chat identity is stale
 * (`cachedPlatformRole`, fresh for PLATFORM_ROLE_TTL_MS). Once the core reports a fresh role,
 * this process remembers until when it stays fresh and skips even that look-up (no query on the
 * hot path). Answers of `users.info` are kept in memory for a minute (teams not linked yet have
 * no identity to cache on) and concurrent look-ups of one user share one call. A slow or failing
 * `users.info` never holds up the acknowledgement: after LOOKUP_TIMEOUT_MS the invocation goes
 * ahead with the cached role (or none).
 */
import type { webApi } from '@slack/bolt';
import { cachedPlatformRole, PLATFORM_ROLE_TTL_MS } from '../../src/chat/identity.ts';
import type { PlatformRole } from '../../src/entities/chat-team.ts';
import type { Runtime } from '../../src/runtime.ts';

/**
 * What `users.info` adds to an invocation; empty when the cached role is fresh. (The user's name
 * always comes from the payload itself, so it never flips between two spellings.)
 */
export type SlackUserFacts = { platformRole?: PlatformRole | null; email?: string };

/** How long `users.info` may take before the invocation goes ahead without it. Default 1500 ms. */
export const LOOKUP_TIMEOUT_MS = 1_500;
/** How long an answer of `users.info` is reused from memory. Default 60 s. */
export const MEMORY_TTL_MS = 60_000;

type Entry = { facts: SlackUserFacts; at: number };

export type UserLookup = {
  facts(client: webApi.WebClient, teamId: string, userId: string): Promise<SlackUserFacts>;
  /** Drops what is remembered (tests; a team's uninstall). */
  clear(): void;
};

type UsersInfo = {
  user?: {
    is_owner?: boolean;
    is_primary_owner?: boolean;
    is_admin?: boolean;
    profile?: { email?: string };
  };
};

export function roleOf(u: NonNullable<UsersInfo['user']>): PlatformRole {
  if (u.is_owner || u.is_primary_owner) return 'owner';
  if (u.is_admin) return 'admin';
  return 'member';
}

export function createUserLookup(rt: Runtime): UserLookup {
  const memory = new Map<string, Entry>();
  const inFlight = new Map<string, Promise<SlackUserFacts>>();
  /** Until when the role cached on a user's identity is known to be fresh (learned from `cachedPlatformRole`). */
  const freshUntil = new Map<string, number>();

  async function fetchFacts(client: webApi.WebClient, userId: string): Promise<SlackUserFacts> {
    const res = (await client.users.info({ user: userId })) as UsersInfo;
    const u = res.user;
    if (!u) return {};
    return { platformRole: roleOf(u), ...(u.profile?.email ? { email: u.profile.email } : {}) };
  }

  return {
    clear: () => {
      memory.clear();
      freshUntil.clear();
    },
    async facts(client, teamId, userId) {
      const key = `${teamId}:${userId}`;
      if ((freshUntil.get(key) ?? 0) > Date.now()) return {};
      const remembered = memory.get(key);
      const cached = await cachedPlatformRole(rt, { platform: 'slack', teamId, userId });
      if (cached?.fresh) {
        // A second short of the core's own limit, so the core never finds it stale first.
        freshUntil.set(key, cached.fetchedAt.getTime() + PLATFORM_ROLE_TTL_MS - 1_000);
        if (freshUntil.size > 10_000) freshUntil.delete(freshUntil.keys().next().value!);
        return {};
      }
      if (remembered && Date.now() - remembered.at < MEMORY_TTL_MS) return remembered.facts;
      let call = inFlight.get(key);
      if (!call) {
        call = fetchFacts(client, userId)
          .then((facts) => {
            memory.set(key, { facts, at: Date.now() });
            if (memory.size > 10_000) memory.delete(memory.keys().next().value!);
            return facts;
          })
          .finally(() => inFlight.delete(key));
        inFlight.set(key, call);
      }
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<SlackUserFacts>((resolve) => {
        timer = setTimeout(() => {
          rt.logger.warn({ team: teamId, user: userId }, 'slack users.info is slow: going ahead with the cached role');
          resolve({});
        }, LOOKUP_TIMEOUT_MS);
      });
      try {
        return await Promise.race([
          call.catch((err: unknown) => {
            rt.logger.warn({ team: teamId, user: userId, error: (err as { data?: { error?: string } }).data?.error ?? String(err) }, 'slack users.info failed: going ahead with the cached role');
            return {};
          }),
          timeout,
        ]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
