/**
 * The chat apps this build ships, one adapter each (bots/<platform>). The composition root is
 * the only place in src/ that imports bots/.
 */
import { discordAdapter } from '../../bots/discord/index.ts';
import { slackAdapter } from '../../bots/slack/index.ts';
import { teamsAdapter } from '../../bots/teams/index.ts';
import type { BotAdapter } from '../chat/bots.ts';

export const BOT_ADAPTERS: readonly BotAdapter[] = [slackAdapter, discordAdapter, teamsAdapter];
