/**
 * The Discord adapter (src/chat/bots.ts), listed by src/main/bots.ts. When the environment
 * configures Discord, src/main/lifecycle.ts creates it in every process: its poster and pace
 * serve the alert jobs there, and — in the process that serves HTTP — POST /discord/interactions
 * is mounted before any body parser and, in gateway mode, the websocket connects.
 */
import type { BotAdapter, ChatBot } from '../../src/chat/bots.ts';
import { namesOf } from '../../src/chat/bots.ts';
import type { DiscordBot } from './app.ts';
import { discordConfigured } from './configured.ts';

export { discordConfigured } from './configured.ts';

/** Discord allows 5 messages per 5 seconds in a channel (https://discord.com/developers/docs/topics/rate-limits). */
export const DISCORD_CHANNEL_PACE = { minIntervalMs: 1_000 };

export type DiscordChatBot = ChatBot & { bot: DiscordBot };

export const discordAdapter: BotAdapter = {
  platform: 'discord',
  configured: discordConfigured,
  async create(rt): Promise<DiscordChatBot> {
    // discord.js is large: loaded only where Discord is configured.
    const { createDiscordBot } = await import('./app.ts');
    const bot = createDiscordBot(rt);
    rt.logger.info({ mode: bot.mode }, 'Discord app enabled');
    return {
      platform: 'discord',
      names: namesOf('discord'),
      poster: bot.poster,
      pace: DISCORD_CHANNEL_PACE,
      bot,
      mount: (app) => bot.mount(app),
      start: () => bot.start(),
      stop: () => bot.stop(rt.config.SHUTDOWN_TIMEOUT_SECONDS * 1000),
    };
  },
};
