/**
 * The one list of chat platforms. Everything else derives from it: the entity enums, the `via`
 * of audit entries and events, OAuth chat contexts, display names. A platform is listed here
 * before it has an adapter (bots/<platform>, wired in src/main/bots.ts); `cli` is the terminal
 * client (`npm run chat`), which speaks to the chat core without a bot.
 */
export const CHAT_PLATFORMS = ['slack', 'discord', 'teams'] as const;
/** A platform a bot adapter can serve (has a poster, a pace, routes). */
export type BotPlatform = (typeof CHAT_PLATFORMS)[number];

/** Every client of the chat core: the platforms plus the terminal. */
export const CHAT_CLIENTS = [...CHAT_PLATFORMS, 'cli'] as const;
export type ChatPlatform = (typeof CHAT_CLIENTS)[number];

/** Names of the chat platforms as people read them. */
export const PLATFORM_NAMES: Record<ChatPlatform, { name: string; team: string }> = {
  slack: { name: 'Slack', team: 'Slack workspace' },
  discord: { name: 'Discord', team: 'Discord server' },
  teams: { name: 'Microsoft Teams', team: 'Teams tenant' },
  cli: { name: 'the terminal', team: 'terminal' },
};

export function isBotPlatform(value: unknown): value is BotPlatform {
  return typeof value === 'string' && (CHAT_PLATFORMS as readonly string[]).includes(value);
}

/** `platform:team:user`: what the audit log records as the actor's external id. */
export function externalIdOf(platform: ChatPlatform, teamId: string, userId: string): string {
  return `${platform}:${teamId}:${userId}`;
}
