/**
 * The Discord app: interactions over HTTP at POST /discord/interactions (signature checked over
 * the raw body) or over the gateway (DISCORD_GATEWAY=true); alerts and follow-ups through
 * discord.js's REST client with the bot token (DISCORD_API_URL overrides the API base in tests).
 */
import { REST } from 'discord.js';
import type { Express } from 'express';
import type { Poster } from '../../src/alerts/posters.ts';
import type { Config } from '../../src/config/index.ts';
import type { Runtime } from '../../src/runtime.ts';
import type { DiscordContext } from './context.ts';
import { createGatewayClient } from './gateway.ts';
import { discordIngress } from './ingress.ts';
import { createGuildOwners } from './members.ts';
import { discordConfigured } from './configured.ts';
import { createDiscordPoster } from './poster.ts';
import { discordPublicKey } from './verify.ts';

/** Discord allows 3 s for the first answer; the rest is kept for the network. */
export const ACK_BUDGET_MS = 2_000;


/** The REST client: channel posts reject on a 429 (the alert queue reschedules), interaction follow-ups wait it out. */
export function createRest(config: Config): REST {
  return new REST({
    ...(config.DISCORD_API_URL ? { api: config.DISCORD_API_URL.replace(/\/+$/, '') } : {}),
    retries: 1,
    timeout: 10_000,
    rejectOnRateLimit: (data) => data.route.startsWith('/channels'),
  }).setToken(config.DISCORD_BOT_TOKEN ?? '');
}

export type DiscordBot = {
  mode: 'http' | 'gateway';
  poster: Poster;
  context: DiscordContext;
  mount(app: Express): void;
  start(): Promise<void>;
  stop(timeoutMs?: number): Promise<void>;
  /** Resolves when no interaction work is in flight (tests, graceful shutdown). */
  idle(): Promise<void>;
};

export function createDiscordBot(rt: Runtime, opts: { ackBudgetMs?: number } = {}): DiscordBot {
  const { config } = rt;
  if (!discordConfigured(config)) throw new Error('the Discord app is not configured (DISCORD_APPLICATION_ID, DISCORD_PUBLIC_KEY and DISCORD_BOT_TOKEN)');
  const key = discordPublicKey(config.DISCORD_PUBLIC_KEY!);
  const rest = createRest(config);
  const owners = createGuildOwners(rest, rt.logger);
  const poster = createDiscordPoster({ rt, rest, owners });
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(work: Promise<T>): Promise<T> => {
    const p: Promise<unknown> = work.catch(() => {}).finally(() => inFlight.delete(p));
    inFlight.add(p);
    return work;
  };
  const context: DiscordContext = {
    rt,
    rest,
    owners,
    poster,
    ackBudgetMs: opts.ackBudgetMs ?? ACK_BUDGET_MS,
    track,
    customIds: (i) => ({ userId: i.member?.user.id ?? i.user?.id ?? '', sign: (data: string) => rt.vault.sign(`discord-confirm:${data}`), nowSec: Math.floor(Date.now() / 1000) }),
  };
  const gateway = config.DISCORD_GATEWAY ? createGatewayClient(context, config.DISCORD_API_URL) : null;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  const idle = async () => {
    while (inFlight.size) await Promise.allSettled([...inFlight]);
  };
  return {
    mode: gateway ? 'gateway' : 'http',
    poster,
    context,
    // The HTTP door stays open in gateway mode too: Discord uses it as soon as an endpoint URL is set.
    mount: (app) => void app.use(discordIngress(context, key)),
    async start() {
      if (!gateway) return;
      // Discord unreachable at boot must not keep the API and the other bots down: keep trying in
      // the background (discord.js itself reconnects once the first login succeeded).
      const login = (delayMs: number) => {
        gateway.login(config.DISCORD_BOT_TOKEN!).catch((err: unknown) => {
          if (stopped) return;
          rt.logger.error({ error: err instanceof Error ? err.message : String(err), retryInSeconds: delayMs / 1000 }, 'discord gateway login failed; retrying');
          retry = setTimeout(() => login(Math.min(delayMs * 2, 5 * 60_000)), delayMs);
        });
      };
      login(5_000);
    },
    async stop(timeoutMs = 10_000) {
      stopped = true;
      clearTimeout(retry);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([idle(), new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
      clearTimeout(timer);
      if (gateway) await gateway.destroy();
    },
    idle,
  };
}
