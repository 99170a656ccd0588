import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { workRecordProperties } from './work-record.ts';

/** A contact of the workspace's work data (CRM people). Soft-deleted, like every work-data row. */
export const Contact = defineEntity({
  name: 'Contact',
  tableName: 'contacts',
  // Lists and sync feeds walk a workspace's rows by (updatedAt, id).
  indexes: [{ properties: ['workspace', 'updatedAt', 'id'] }],
  properties: {
    ...workRecordProperties(),
    name: p.string(),
    email: p.string().nullable(),
    phone: p.string().nullable(),
    company: p.string().nullable(),
    title: p.string().nullable(),
  },
});
export type IContact = InferEntity<typeof Contact>;
