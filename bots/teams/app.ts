/**
 * The Teams bot on the Microsoft 365 Agents SDK (`@microsoft/agents-hosting`, the successor of
 * the archived botbuilder: the same activity model, CloudAdapter and Azure Bot registration).
 * The SDK stays in this folder. Activities arrive at POST /api/messages (ingress.ts); replies
 * and alerts go to the activity's Bot Connector (`serviceUrl`), only on hosts TEAMS_SERVICE_URLS
 * allows — a forged activity cannot point the bot at an internal address.
 */
import { CloudAdapter, getAuthConfigWithDefaults, type OutboundUrlPolicy } from '@microsoft/agents-hosting';
import type { Express } from 'express';
import type { Poster } from '../../src/alerts/posters.ts';
import type { Runtime } from '../../src/runtime.ts';
import type { TeamsContext } from './context.ts';
import { teamsConfigured } from './configured.ts';
import { teamsIngress } from './ingress.ts';
import { createTeamsPoster } from './poster.ts';

/** The app id of proactive turns for the anonymous emulator (the SDK needs a non-empty one). */
const EMULATOR_APP_ID = 'patchbay-emulator';

export type TeamsBot = {
  mode: 'credentials' | 'emulator' | 'refusing';
  poster: Poster;
  context: TeamsContext;
  mount(app: Express): void;
  stop(timeoutMs?: number): Promise<void>;
  idle(): Promise<void>;
};

/** Service URLs are allowed by prefix (scheme, host and path), never by a substring. */
export function serviceUrlPolicy(prefixes: readonly string[]): OutboundUrlPolicy {
  const normalized = prefixes.map((p) => (p.endsWith('/') ? p : `${p}/`).toLowerCase());
  return {
    enabled: true,
    isAllowed(url) {
      if (!url) return false;
      let u: URL;
      try {
        u = new URL(String(url));
      } catch {
        return false;
      }
      const href = `${u.protocol}//${u.host}${u.pathname.endsWith('/') ? u.pathname : `${u.pathname}/`}`.toLowerCase();
      return normalized.some((p) => href.startsWith(p));
    },
  };
}

export function createTeamsBot(rt: Runtime): TeamsBot {
  const { config } = rt;
  if (!teamsConfigured(config)) throw new Error('the Teams bot is not configured (TEAMS_APP_ID and TEAMS_APP_PASSWORD, or TEAMS_ENABLED=true for the emulator)');
  const credentialed = Boolean(config.TEAMS_APP_ID && config.TEAMS_APP_PASSWORD);
  const authConfig = getAuthConfigWithDefaults(
    credentialed ? { clientId: config.TEAMS_APP_ID!, clientSecret: config.TEAMS_APP_PASSWORD!, ...(config.TEAMS_TENANT_ID ? { tenantId: config.TEAMS_TENANT_ID } : {}) } : {},
  );
  const adapter = new CloudAdapter(authConfig, undefined, undefined, { validateServiceUrl: true }, serviceUrlPolicy(config.TEAMS_SERVICE_URLS));
  adapter.onTurnError = async (_ctx, error) => {
    rt.logger.error({ error: error instanceof Error ? error.message : String(error) }, 'teams: a turn failed in the SDK');
  };
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(work: Promise<T>): Promise<T> => {
    const p: Promise<unknown> = work.catch(() => {}).finally(() => inFlight.delete(p));
    inFlight.add(p);
    return work;
  };
  const base = { rt, adapter, appId: config.TEAMS_APP_ID ?? EMULATOR_APP_ID, track, sign: (data: string) => rt.vault.sign(`teams-confirm:${data}`) };
  const poster = createTeamsPoster(base);
  const context: TeamsContext = { ...base, poster };
  const idle = async () => {
    while (inFlight.size) await Promise.allSettled([...inFlight]);
  };
  const mode = credentialed ? 'credentials' : config.NODE_ENV === 'production' ? 'refusing' : 'emulator';
  if (mode === 'refusing') rt.logger.error('TEAMS_ENABLED is set without TEAMS_APP_ID/TEAMS_APP_PASSWORD in production: /api/messages refuses every activity');
  return {
    mode,
    poster,
    context,
    mount: (app) => void app.use(teamsIngress(context)),
    async stop(timeoutMs = 10_000) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([idle(), new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
      clearTimeout(timer);
    },
    idle,
  };
}
