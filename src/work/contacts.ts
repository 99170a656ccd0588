/** Contacts: validation, and create/update/delete each in one transaction with its event. */
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { Contact, type IContact } from '../entities/contact.ts';
import { CONTACT_FIELDS, type ContactField, type ContactSnapshot } from '../events/catalog/contact.ts';
import { recordEvent } from '../events/record.ts';
import { workRecords } from './records.ts';
import { diff, emailSchema, LIST_ORDER, listWhere, type WorkListOptions, type WorkWriter } from './common.ts';

const optionalText = (max: number) => z.string().trim().max(max).nullable().optional();

export const createContactInput = z.strictObject({
  name: z.string().trim().min(1, { error: 'must not be empty' }).max(255),
  email: emailSchema.nullable().optional(),
  // Loose on purpose (extensions, local formats), but only what a phone number is written with.
  phone: z
    .string()
    .trim()
    .max(50)
    .regex(/^\+?[0-9 ().\-/]*(?:(?:ext\.?|x) ?[0-9]+)?$/i, { error: 'must be a phone number (digits, spaces, + ( ) . - /)' })
    .nullable()
    .optional(),
  company: optionalText(255),
  title: optionalText(255),
});
/** PATCH body: only the given fields change; `null` clears an optional one. */
export const updateContactInput = createContactInput.partial();
export type CreateContactInput = z.output<typeof createContactInput>;
export type UpdateContactInput = z.output<typeof updateContactInput>;

export function contactView(c: IContact): ContactSnapshot {
  return {
    id: c.id,
    name: c.name,
    email: c.email ?? null,
    phone: c.phone ?? null,
    company: c.company ?? null,
    title: c.title ?? null,
    createdBy: c.createdBy ?? null,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
    deletedAt: c.deletedAt?.toISOString() ?? null,
    removedRemotelyAt: c.removedRemotelyAt?.toISOString() ?? null,
  };
}

const records = workRecords(Contact, 'Contact', contactView, 'contact_deleted');

export async function createContact(em: EntityManager, w: WorkWriter, input: CreateContactInput): Promise<ContactSnapshot> {
  return await em.transactional(async (tx) => {
    const now = new Date();
    const contact = tx.create(Contact, {
      id: randomUUID(),
      workspace: w.workspaceId,
      name: input.name,
      email: input.email ?? null,
      phone: input.phone ?? null,
      company: input.company ?? null,
      title: input.title ?? null,
      createdBy: w.memberId,
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
      removedRemotelyAt: null,
    });
    await tx.flush();
    const snapshot = contactView(contact);
    await recordEvent(tx, { workspaceId: w.workspaceId, type: 'contact_added', entityId: contact.id, snapshot, data: { origin: w.origin ?? null } });
    return snapshot;
  });
}

/** Applies the given fields and emits `contact_updated`; an update that changes nothing emits nothing. */
export async function updateContact(em: EntityManager, w: WorkWriter, id: string, patch: UpdateContactInput): Promise<ContactSnapshot> {
  return await em.transactional(async (tx) => {
    const contact = await records.lockLive(tx, w, id);
    const before = contactView(contact);
    const { changed, previous } = diff<ContactSnapshot, ContactField>(before, patch, CONTACT_FIELDS);
    if (!changed.length) return before;
    tx.assign(contact, { ...Object.fromEntries(changed.map((f) => [f, patch[f]])), updatedAt: new Date() });
    await tx.flush();
    const snapshot = contactView(contact);
    await recordEvent(tx, { workspaceId: w.workspaceId, type: 'contact_updated', entityId: id, snapshot, data: { changedFields: changed, previous, origin: w.origin ?? null } });
    return snapshot;
  });
}

export const deleteContact = (em: EntityManager, w: WorkWriter, id: string): Promise<void> => records.softDelete(em, w, id);

export const getContact = (em: EntityManager, workspaceId: string, id: string): Promise<ContactSnapshot> => records.get(em, workspaceId, id);

export async function listContacts(em: EntityManager, workspaceId: string, o: WorkListOptions): Promise<IContact[]> {
  return await em.find(Contact, listWhere(workspaceId, o), { orderBy: LIST_ORDER, limit: o.limit + 1 });
}
