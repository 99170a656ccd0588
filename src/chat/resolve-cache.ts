/**
 * A short-lived cache of who a chat user is (team → workspace → identity → member), so a warm
 * chat command reads none of them from Postgres. It lives on the runtime (`rt.chatCache`) and is
 * only used while this process LISTENs to `patchbay_chat_changed`. Triggers on chat_teams,
 * chat_identities, members and workspaces (migration 20261129180000) bump the sequence
 * `patchbay_chat_version` and notify after commit; the whole cache is dropped when either moves.
 * Each command checks the version first (one tiny query), so a change committed by any process
 * is seen by the next command; the notification covers a read made between the bump and the
 * commit. A generation counter keeps a read that raced with a change from being stored; entries
 * also expire after ENTRY_TTL_MS.
 */
import pg from 'pg';
import type { IChatIdentity } from '../entities/chat-identity.ts';
import type { IChatTeam } from '../entities/chat-team.ts';
import type { IMember } from '../entities/member.ts';
import type { IWorkspace } from '../entities/workspace.ts';
import type { Logger } from '../logger.ts';

export const CHANGE_CHANNEL = 'patchbay_chat_changed';
/** A safety net only: changes clear the cache as they commit. */
export const ENTRY_TTL_MS = 60_000;
const MAX_ENTRIES = 20_000;

export type CachedUser = { workspace: IWorkspace; identity: IChatIdentity; member: IMember };

type Entry<T> = { value: T; at: number };

export type ChatCache = {
  /** Whether the cache is in use (this process listens for changes). */
  readonly active: boolean;
  /** Read before a database read; pass to `put*` so a read older than a change is not kept. */
  generation(): number;
  team(platform: string, teamId: string): IChatTeam | null | undefined;
  putTeam(gen: number, platform: string, teamId: string, team: IChatTeam | null): void;
  user(workspaceId: string, platform: string, teamId: string, userId: string): CachedUser | undefined;
  putUser(gen: number, workspaceId: string, platform: string, teamId: string, userId: string, value: CachedUser): void;
  clear(): void;
  /** Drops the cache if the chat rows changed since it was filled (one query; nothing when inactive). */
  sync(pool: pg.Pool): Promise<void>;
  /** Starts listening (and so caching); resolves once listening. Returns a function that stops. */
  listen(url: string, logger: Logger): Promise<() => Promise<void>>;
};

export function createChatCache(): ChatCache {
  const teams = new Map<string, Entry<IChatTeam | null>>();
  const users = new Map<string, Entry<CachedUser>>();
  let gen = 0;
  let active = false;
  let version: string | null = null;
  let checking: Promise<void> | null = null;

  const fresh = <T>(m: Map<string, Entry<T>>, key: string): T | undefined => {
    const e = m.get(key);
    if (!e) return undefined;
    if (Date.now() - e.at > ENTRY_TTL_MS) {
      m.delete(key);
      return undefined;
    }
    return e.value;
  };
  const put = <T>(m: Map<string, Entry<T>>, g: number, key: string, value: T) => {
    if (!active || g !== gen) return;
    if (m.size >= MAX_ENTRIES) m.clear();
    m.set(key, { value, at: Date.now() });
  };
  const clear = () => {
    gen++;
    teams.clear();
    users.clear();
  };

  return {
    get active() {
      return active;
    },
    generation: () => gen,
    team: (platform, teamId) => (active ? fresh(teams, `${platform}:${teamId}`) : undefined),
    putTeam: (g, platform, teamId, team) => put(teams, g, `${platform}:${teamId}`, team),
    user: (ws, platform, teamId, userId) => (active ? fresh(users, `${ws}:${platform}:${teamId}:${userId}`) : undefined),
    putUser: (g, ws, platform, teamId, userId, value) => put(users, g, `${ws}:${platform}:${teamId}:${userId}`, value),
    clear,
    sync(pool) {
      if (!active) return Promise.resolve();
      // Commands arriving while a check is in flight share it (a burst costs one query, not fifty);
      // a change committed meanwhile still reaches them through the notification.
      checking ??= pool
        .query<{ v: string }>('select last_value::text as v from patchbay_chat_version')
        .then(({ rows }) => {
          const v = rows[0]?.v ?? null;
          if (v !== version) {
            clear();
            version = v;
          }
        })
        .finally(() => (checking = null));
      return checking;
    },
    async listen(url, logger) {
      let client: pg.Client | null = null;
      let stopped = false;
      let retry: NodeJS.Timeout | undefined;
      const connect = async (): Promise<void> => {
        const c = new pg.Client({ connectionString: url });
        const lost = (err?: Error) => {
          if (client !== c) return;
          client = null;
          active = false;
          clear();
          if (stopped) return;
          logger.warn({ err }, 'chat cache: lost the change listener; reading from the database until it is back');
          retry = setTimeout(() => void connect(), 1_000);
        };
        client = c;
        c.on('error', lost);
        c.on('end', () => lost());
        c.on('notification', () => clear());
        try {
          await c.connect();
          await c.query(`listen ${CHANGE_CHANNEL}`);
        } catch (err) {
          lost(err as Error);
          return;
        }
        clear(); // changes made while not listening
        active = true;
      };
      await connect();
      return async () => {
        stopped = true;
        clearTimeout(retry);
        active = false;
        clear();
        const c = client;
        client = null;
        await c?.end().catch(() => {});
      };
    },
  };
}
