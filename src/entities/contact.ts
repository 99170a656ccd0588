import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { Member } from './member.ts';
import { Workspace } from './workspace.ts';

/** A contact of the workspace's work data (CRM people). Soft-deleted, like every work-data row. */
export const Contact = defineEntity({
  name: 'Contact',
  tableName: 'contacts',
  indexes: [{ properties: ['workspace', 'updatedAt', 'id'] }],
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    workspace: () => p.manyToOne(Workspace).mapToPk().deleteRule('cascade'),
    name: p.string(),
    email: p.string().nullable(),
    phone: p.string().nullable(),
    company: p.string().nullable(),
    title: p.string().nullable(),
    createdBy: () => p.manyToOne(Member).mapToPk().nullable().deleteRule('set null'),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()),
    deletedAt: p.datetime().nullable(),
  },
});
export type IContact = InferEntity<typeof Contact>;
