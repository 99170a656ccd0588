/** Names of the chat platforms as people read them, and the one spelling of a chat identity. */
import type { ChatPlatform } from '../entities/chat-team.ts';

export type { ChatPlatform };

export const PLATFORM_NAMES: Record<ChatPlatform, { name: string; team: string }> = {
  slack: { name: 'Slack', team: 'Slack workspace' },
  discord: { name: 'Discord', team: 'Discord server' },
  teams: { name: 'Microsoft Teams', team: 'Teams tenant' },
  cli: { name: 'the terminal', team: 'terminal' },
};

/** `platform:team:user`: what the audit log records as the actor's external id. */
export function externalIdOf(platform: ChatPlatform, teamId: string, userId: string): string {
  return `${platform}:${teamId}:${userId}`;
}
