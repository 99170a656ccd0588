import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { Member } from './member.ts';
import { Workspace } from './workspace.ts';

/**
 * A single-use code that links a chat team to a workspace. Only a SHA-256 of the code is
 * stored; the code is shown once to the Owner who created it and expires after 30 minutes.
 */
export const LinkCode = defineEntity({
  name: 'LinkCode',
  tableName: 'chat_link_codes',
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    workspace: () => p.manyToOne(Workspace).mapToPk().deleteRule('cascade'),
    codeHash: p.string().unique().hidden(),
    createdBy: () => p.manyToOne(Member).mapToPk().deleteRule('cascade'),
    createdAt: p.datetime().onCreate(() => new Date()),
    expiresAt: p.datetime(),
    usedAt: p.datetime().nullable(),
    /** `platform:team` that redeemed the code. */
    usedBy: p.string().nullable(),
  },
});
export type ILinkCode = InferEntity<typeof LinkCode>;
