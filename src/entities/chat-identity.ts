import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { CHAT_CLIENTS, PLATFORM_ROLES } from './chat-team.ts';
import { Member } from './member.ts';
import { Workspace } from './workspace.ts';

/**
 * A chat user, as seen in one team, acting as one Member of the team's workspace. Created on
 * first contact (matched by email when the platform gives one, else a new Member).
 */
export const ChatIdentity = defineEntity({
  name: 'ChatIdentity',
  tableName: 'chat_identities',
  uniques: [{ properties: ['workspace', 'platform', 'teamExternalId', 'externalUserId'] }],
  indexes: [{ properties: ['member'] }],
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    workspace: () => p.manyToOne(Workspace).mapToPk().deleteRule('cascade'),
    platform: p.enum(CHAT_CLIENTS),
    teamExternalId: p.string(),
    externalUserId: p.string(),
    member: () => p.manyToOne(Member).mapToPk().deleteRule('cascade'),
    email: p.string().nullable(),
    displayName: p.string().nullable(),
    /** The user's role on the platform (not in Patchbay), as last read by the bot. */
    platformRole: p.enum(PLATFORM_ROLES).nullable(),
    /** When `platformRole` was read; older than a few minutes means "ask the platform again". */
    platformRoleFetchedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export type IChatIdentity = InferEntity<typeof ChatIdentity>;
