import type { Config } from '../../src/config/index.ts';

/**
 * Whether the environment configures the Teams bot: credentials (TEAMS_APP_ID with its password),
 * or TEAMS_ENABLED=true for the local emulator. Enabled in production without credentials, the
 * endpoint exists but refuses every activity (bots/teams/ingress.ts).
 */
export function teamsConfigured(config: Config): boolean {
  return Boolean(config.TEAMS_APP_ID || config.TEAMS_ENABLED);
}
