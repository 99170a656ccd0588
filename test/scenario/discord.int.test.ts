/** The shared chat scenario (issue 15) on Discord. */
import { discordDriver } from './drivers/discord.ts';
import { chatScenario } from './scenario.ts';

chatScenario('Discord', discordDriver);
