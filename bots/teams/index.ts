/**
 * The Microsoft Teams adapter (src/chat/bots.ts), listed by src/main/bots.ts. When the
 * environment configures Teams, src/main/lifecycle.ts creates it in every process: its poster and
 * pace serve the alert jobs there, and — in the process that serves HTTP — POST /api/messages is
 * mounted before the API's body parsers.
 */
import type { BotAdapter, ChatBot } from '../../src/chat/bots.ts';
import { namesOf } from '../../src/chat/bots.ts';
import type { TeamsBot } from './app.ts';
import { teamsConfigured } from './configured.ts';

export { teamsConfigured } from './configured.ts';

/** Teams allows a bot about 7 messages a second in one conversation, 60 in 30 s (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/rate-limit). */
export const TEAMS_CHANNEL_PACE = { minIntervalMs: 1_000 };

export type TeamsChatBot = ChatBot & { bot: TeamsBot };

export const teamsAdapter: BotAdapter = {
  platform: 'teams',
  configured: teamsConfigured,
  async create(rt): Promise<TeamsChatBot> {
    // The Agents SDK is large: loaded only where Teams is configured.
    const { createTeamsBot } = await import('./app.ts');
    const bot = createTeamsBot(rt);
    rt.logger.info({ mode: bot.mode }, 'Teams bot enabled');
    return {
      platform: 'teams',
      names: namesOf('teams'),
      poster: bot.poster,
      pace: TEAMS_CHANNEL_PACE,
      bot,
      mount: (app) => bot.mount(app),
      start: async () => {},
      stop: () => bot.stop(rt.config.SHUTDOWN_TIMEOUT_SECONDS * 1000),
    };
  },
};
