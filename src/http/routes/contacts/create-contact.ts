import { createContact } from '../../../work/contacts.ts';
import { defineRoute } from '../../route.ts';
import { createContactBody, contactSchema } from './schemas.ts';

export default defineRoute({
  method: 'post',
  path: '/contacts',
  operationId: 'createContact',
  summary: 'Create a contact (emits `contact_added`)',
  tag: 'Contacts',
  permission: 'work_data.write',
  body: createContactBody,
  responses: { 201: { description: 'Created', schema: contactSchema } },
  async handler({ em, auth, body }) {
    return { status: 201, body: await createContact(em, { workspaceId: auth.workspaceId, memberId: auth.member.id }, body) };
  },
});
