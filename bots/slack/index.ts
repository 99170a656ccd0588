/**
 * The Slack adapter (src/chat/bots.ts), listed by src/main/bots.ts. When the environment
 * configures Slack, src/main/lifecycle.ts creates it in every process: its poster and pace
 * serve the alert jobs there, and — in the process that serves HTTP — its routes are mounted
 * before any body parser and Socket Mode connects.
 */
import type { BotAdapter, ChatBot } from '../../src/chat/bots.ts';
import { namesOf } from '../../src/chat/bots.ts';
import { createSlackBot, slackConfigured } from './app.ts';

export { createSlackBot, slackConfigured, type SlackBot } from './app.ts';

/** Slack allows about one message per second per channel (https://docs.slack.dev/apis/web-api/rate-limits). */
export const SLACK_CHANNEL_PACE = { minIntervalMs: 1_000 };

export type SlackChatBot = ChatBot & { bot: ReturnType<typeof createSlackBot> };

export const slackAdapter: BotAdapter = {
  platform: 'slack',
  configured: slackConfigured,
  create(rt): SlackChatBot {
    const bot = createSlackBot(rt);
    rt.logger.info({ mode: bot.mode, auth: bot.auth }, 'Slack app enabled');
    return {
      platform: 'slack',
      names: namesOf('slack'),
      poster: bot.poster,
      pace: SLACK_CHANNEL_PACE,
      bot,
      mount: (app) => bot.mount(app),
      start: () => bot.start(),
      stop: () => bot.stop(rt.config.SHUTDOWN_TIMEOUT_SECONDS * 1000),
    };
  },
};
