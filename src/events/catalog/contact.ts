/** Contact events (awork-style names): a contact was added, changed or deleted. */
import { z } from 'zod';
import { byType, eventFamily } from './define.ts';
import { originSchema } from './work-origin.ts';

const isoTime = () => z.iso.datetime().describe('ISO 8601 timestamp, UTC');

/** The public shape of a contact (the same as the API's), as it was after the change. */
export const contactSnapshot = z
  .object({
    id: z.uuid(),
    name: z.string(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    company: z.string().nullable(),
    title: z.string().nullable().describe('Job title'),
    createdBy: z.string().nullable().describe('Id of the member who created it; null when a sync did'),
    createdAt: isoTime(),
    updatedAt: isoTime(),
    deletedAt: isoTime().nullable(),
    removedRemotelyAt: isoTime().nullable().describe('When a sync saw the linked provider record deleted (delete policy `mark`); null otherwise'),
  })
  .describe('Contact');
export type ContactSnapshot = z.output<typeof contactSnapshot>;

export const CONTACT_FIELDS = ['name', 'email', 'phone', 'company', 'title'] as const;
export type ContactField = (typeof CONTACT_FIELDS)[number];

export const exampleContact = {
  id: '8a2b4c6d-1e3f-4a5b-9c7d-2e4f6a8b0c1d',
  name: 'Grace Hopper',
  email: 'grace@navy.example',
  phone: '+1 202 555 0143',
  company: 'US Navy',
  title: 'Rear Admiral',
  createdBy: '7936d6b8-3345-4770-83c8-2c8c2ed12414',
  createdAt: '2026-11-29T09:12:04.511Z',
  updatedAt: '2026-11-29T09:12:04.511Z',
  deletedAt: null,
  removedRemotelyAt: null,
} satisfies z.input<typeof contactSnapshot>;
const exampleId = exampleContact.id;

const contactEvent = eventFamily('contact', contactSnapshot);

export const contactEvents = byType([
  contactEvent('contact_added', {
    version: 1,
    description: 'A contact was created, by a member or by a sync.',
    data: z.object({ origin: originSchema }),
    example: { entityId: exampleId, snapshot: exampleContact, data: { origin: null } },
  }),
  contactEvent('contact_updated', {
    version: 1,
    description: 'A contact changed. `changedFields` lists what changed and `previous` holds their old values.',
    data: z.object({
      changedFields: z.array(z.enum(CONTACT_FIELDS)).min(1),
      previous: contactSnapshot.pick({ name: true, email: true, phone: true, company: true, title: true }).partial(),
      origin: originSchema,
    }),
    example: {
      entityId: exampleId,
      snapshot: { ...exampleContact, title: 'Commodore', updatedAt: '2026-11-29T10:00:00.000Z' },
      data: { changedFields: ['title'], previous: { title: 'Rear Admiral' }, origin: null },
    },
  }),
  contactEvent('contact_deleted', {
    version: 1,
    description: 'A contact was deleted. The snapshot is the contact as it was, with `deletedAt` set.',
    data: z.object({ origin: originSchema }),
    example: { entityId: exampleId, snapshot: { ...exampleContact, deletedAt: '2026-11-29T11:00:00.000Z' }, data: { origin: null } },
  }),
]);
