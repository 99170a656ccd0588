/**
 * `npm run discord:register [-- --global]`
 * Registers the `/integrations` slash command with Discord: in DISCORD_GUILD_ID when set (instant),
 * else globally (or globally with --global). Sends nothing when Discord already has these
 * definitions; otherwise prints what changed. Needs DISCORD_APPLICATION_ID and DISCORD_BOT_TOKEN.
 */
import { registerDiscordCommands } from '../../../bots/discord/register.ts';
import { ConfigError, loadConfig, readEnvironment } from '../../config/index.ts';
import { parseFlags, runCli } from './run-cli.ts';

await runCli(async () => {
  const { flags } = parseFlags(process.argv.slice(2));
  const config = loadConfig(readEnvironment());
  const missing = (['DISCORD_APPLICATION_ID', 'DISCORD_BOT_TOKEN'] as const).filter((k) => !config[k]);
  if (missing.length) throw new ConfigError(missing.map((k) => `${k}: is required to register the Discord commands (Developer Portal → your application)`));
  const guildId = flags.global ? undefined : config.DISCORD_GUILD_ID;
  const r = await registerDiscordCommands({
    applicationId: config.DISCORD_APPLICATION_ID!,
    token: config.DISCORD_BOT_TOKEN!,
    ...(guildId ? { guildId } : {}),
    ...(config.DISCORD_API_URL ? { apiUrl: config.DISCORD_API_URL } : {}),
  });
  const where = r.scope === 'guild' ? `guild ${guildId}` : 'every server (global commands can take a while to appear)';
  if (!r.changed) {
    process.stdout.write(`no change: Discord already has these commands for ${where}\n`);
    return;
  }
  process.stdout.write(`Registered for ${where}:\n${r.changes.map((c) => `  ${c}`).join('\n')}\n`);
});
