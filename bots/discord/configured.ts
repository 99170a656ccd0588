import type { Config } from '../../src/config/index.ts';

/** Whether the environment configures the Discord app (the config schema checks that the three go together). */
export function discordConfigured(config: Config): boolean {
  return Boolean(config.DISCORD_APPLICATION_ID && config.DISCORD_PUBLIC_KEY && config.DISCORD_BOT_TOKEN);
}
