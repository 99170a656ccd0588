import { updateContact } from '../../../work/contacts.ts';
import { defineRoute } from '../../route.ts';
import { contactParams, contactSchema, updateContactBody } from './schemas.ts';

export default defineRoute({
  method: 'patch',
  path: '/contacts/:id',
  operationId: 'updateContact',
  summary: 'Change some fields of a contact',
  description:
    'Only the given fields change (`null` clears an optional one). Any change emits `contact_updated`, in the same transaction. A request that changes nothing emits nothing.',
  tag: 'Contacts',
  permission: 'work_data.write',
  params: contactParams,
  body: updateContactBody,
  responses: { 200: { description: 'The contact after the change', schema: contactSchema } },
  async handler({ em, auth, params, body }) {
    return { status: 200, body: await updateContact(em, { workspaceId: auth.workspaceId, memberId: auth.member.id }, params.id, body) };
  },
});
