/**
 * Guessing link codes is throttled: a few wrong codes per chat user, and more per chat team, in a
 * window (LINK_CODE_FAILURES_PER_USER / _PER_TEAM / _WINDOW_SECONDS), then `link` is refused —
 * even with a right code — until the window ends. Counted in PostgreSQL (src/db/counters.ts), so
 * every process shares the count; only `link` pays for it, never other chat commands. Each user's
 * wrong and refused attempts are audited as one entry per window with a count.
 */
import { auditRepeatedRefusal } from '../audit/refusals.ts';
import { hitCounters, peekCounters } from '../db/counters.ts';
import { AppError } from '../errors.ts';
import type { Runtime } from '../runtime.ts';
import { ChatTeam } from '../entities/chat-team.ts';
import { PLATFORM_NAMES, type ChatPlatform } from './platforms.ts';

export type Guesser = { platform: ChatPlatform; teamId: string; userId: string };

const keysOf = (g: Guesser) => ({ user: `link:user:${g.platform}:${g.teamId}:${g.userId}`, team: `link:team:${g.platform}:${g.teamId}` });

/** Throws `rate_limited` (and counts the attempt) when the user or their team is over its limit. */
export async function guardLinkAttempt(rt: Runtime, g: Guesser): Promise<void> {
  const { LINK_CODE_FAILURES_PER_USER: perUser, LINK_CODE_FAILURES_PER_TEAM: perTeam, LINK_CODE_FAILURE_WINDOW_SECONDS: window } = rt.config;
  const keys = keysOf(g);
  const [user, team] = await peekCounters(rt.db.pool, [keys.user, keys.team], window);
  if (user!.count < perUser && team!.count < perTeam) return;
  const counted = await countFailure(rt, g, 'throttled');
  const wait = Math.max(...counted.map((c) => c.resetInSeconds));
  const who = user!.count >= perUser ? 'from you' : `from this ${PLATFORM_NAMES[g.platform].team}`;
  throw new AppError(
    'rate_limited',
    `Too many wrong link codes ${who}: \`link\` is paused for about ${Math.ceil(wait / 60)} min, even for a right code. Check the code with whoever made it, or ask for a new one.`,
    { retryAfterSeconds: wait, details: { reason: 'too_many_wrong_codes' } },
  );
}

/** Counts a wrong code (or an attempt refused while throttled) and audits it with the window's count. */
export async function countFailure(rt: Runtime, g: Guesser, kind: 'wrong_code' | 'throttled') {
  const { LINK_CODE_FAILURES_PER_USER: perUser, LINK_CODE_FAILURE_WINDOW_SECONDS: window } = rt.config;
  const keys = keysOf(g);
  const counted = await hitCounters(rt.db.pool, [keys.user, keys.team], window);
  const occurrence = counted.find((c) => c.key === keys.user)?.count ?? 1;
  await auditRepeatedRefusal(rt, {
    counterKey: keys.user,
    occurrence,
    extra: { throttled: Math.max(0, occurrence - perUser) },
    entry: async () => {
      // Audited in the team's workspace when it has one; an unlinked team's guesses have none.
      const team = await rt.em().findOne(ChatTeam, { platform: g.platform, externalId: g.teamId });
      return {
        workspaceId: team?.active ? (team.workspace ?? null) : null,
        action: 'chat.link',
        targetType: 'chat_team',
        targetId: team?.id ?? null,
        outcome: 'refused',
        details: { reason: kind === 'wrong_code' ? 'invalid_code' : 'too_many_wrong_codes', platform: g.platform, team: g.teamId, user: g.userId, windowSeconds: window },
      };
    },
  });
  return counted;
}
