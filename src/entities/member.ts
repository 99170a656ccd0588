import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { Workspace } from './workspace.ts';

export const ROLES = ['owner', 'admin', 'member'] as const;
export type Role = (typeof ROLES)[number];

/** A person in a workspace. Chat identities and API tokens act as a member. */
export const Member = defineEntity({
  name: 'Member',
  tableName: 'members',
  uniques: [{ properties: ['workspace', 'email'] }],
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    workspace: () => p.manyToOne(Workspace).mapToPk().deleteRule('cascade'),
    displayName: p.string(),
    email: p.string().nullable(),
    role: p.enum(ROLES).default('member'),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export type IMember = InferEntity<typeof Member>;
