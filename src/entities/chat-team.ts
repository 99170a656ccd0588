import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { Member } from './member.ts';
import { Workspace } from './workspace.ts';

import { CHAT_CLIENTS } from '../chat/platforms.ts';

// The platform list lives in src/chat/platforms.ts; re-exported for the entities' callers.
export { CHAT_CLIENTS, CHAT_PLATFORMS, type BotPlatform, type ChatPlatform } from '../chat/platforms.ts';

/** A user's role on the chat platform itself (Slack workspace owner/admin, Discord guild owner/administrator, …). */
export const PLATFORM_ROLES = ['owner', 'admin', 'member'] as const;
export type PlatformRole = (typeof PLATFORM_ROLES)[number];

/**
 * A chat team (Slack team, Discord guild, Teams tenant, or the terminal of one workspace).
 * Installing a chat app only creates an unlinked row (`workspace` null): a team drives a
 * workspace only after `link <code>` with a single-use code an Owner created.
 */
export const ChatTeam = defineEntity({
  name: 'ChatTeam',
  tableName: 'chat_teams',
  uniques: [{ properties: ['platform', 'externalId'] }],
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    platform: p.enum(CHAT_CLIENTS),
    /** The platform's id of the team (Slack team id, Discord guild id, Teams tenant id). */
    externalId: p.string(),
    name: p.string().nullable(),
    /** The workspace this team drives; null until linked with a code. */
    workspace: () => p.manyToOne(Workspace).mapToPk().nullable().deleteRule('cascade'),
    /** The Owner whose link code linked the team. */
    linkedBy: () => p.manyToOne(Member).mapToPk().nullable().deleteRule('set null'),
    linkedAt: p.datetime().nullable(),
    /** False once the app is uninstalled or its tokens revoked. */
    active: p.boolean().default(true),
    /** Non-secret installation facts a bot keeps (bot user id, app id, scopes, …). */
    installation: p.json<Record<string, unknown>>().nullable(),
    /** Vault ciphertext of installation secrets (bot tokens), never serialized. */
    secrets: p.text().nullable().hidden().lazy(),
    deactivatedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export type IChatTeam = InferEntity<typeof ChatTeam>;
