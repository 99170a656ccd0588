import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { Member } from './member.ts';
import { Workspace } from './workspace.ts';

export const LINK_CODE_KINDS = ['team', 'personal'] as const;
export type LinkCodeKind = (typeof LINK_CODE_KINDS)[number];

/**
 * A single-use code: `team` links a chat team to a workspace (an Owner's); `personal` binds the
 * chat identity that redeems it to the member who created it (any member, for themselves). Only
 * a SHA-256 of the code is stored; the code is shown once to its creator and expires after 30 minutes.
 */
export const LinkCode = defineEntity({
  name: 'LinkCode',
  tableName: 'chat_link_codes',
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    workspace: () => p.manyToOne(Workspace).mapToPk().deleteRule('cascade'),
    codeHash: p.string().unique().hidden(),
    kind: p.enum(LINK_CODE_KINDS).default('team'),
    createdBy: () => p.manyToOne(Member).mapToPk().deleteRule('cascade'),
    createdAt: p.datetime().onCreate(() => new Date()),
    expiresAt: p.datetime(),
    usedAt: p.datetime().nullable(),
    /** `platform:team` that redeemed the code. */
    usedBy: p.string().nullable(),
  },
});
export type ILinkCode = InferEntity<typeof LinkCode>;
